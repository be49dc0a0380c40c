//! Syntax: text to tokens to AST. Knows nothing of types, Cranelift or rayon.

pub mod ast;
pub mod ops;
pub mod parser;
pub mod token;

pub use parser::parse;
pub use token::lex;

// The grammar file's examples and precedence table, checked against the parser.
#[cfg(test)]
mod grammar_tests;
