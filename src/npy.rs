//! `.npy` files: NumPy's binary array format, read and written.
//!
//! Input (read): the bytes of a `.npy` file of format version 1.0, 2.0 or 3.0 —
//! magic `\x93NUMPY`, version, header length, a Python dict literal header
//! (`descr`, `fortran_order`, `shape`), then the raw elements.
//! Output (read): an [`Array`] in one of jitexpr's five dtypes, in the file's
//! memory order (C, or Fortran kept as read: no transposing copy).
//! Input (write): an [`Array`]. Output (write): the bytes `np.save` would write.
//!
//! Dtypes: `b1`, `i4`, `i8`, `f4`, `f8` are read as they are (big-endian ones
//! byte-swapped); narrower ones widen exactly (`i1 i2 u1 u2` -> int32, `u4` ->
//! int64, `f2` -> float32); uint64, complex, strings, objects, records, datetimes
//! and long double are rejected with a message naming the dtype. Fortran-order
//! files give Fortran-order arrays, which every engine reads in place, and such
//! arrays are written back with `fortran_order: True`. Bool bytes other than 0 and 1 read as True,
//! as in NumPy.
//!
//! Invariants: the header is never trusted. Every size is checked (with overflow
//! checks) against the bytes actually present *before* anything is allocated, so a
//! 100-byte file claiming ten trillion elements fails at once; reading never panics
//! on any input. A pipe or device (no length to check against) is read as a
//! stream: the magic first (`/dev/zero` fails after 8 bytes), a header of at most
//! `MAX_HEADER` bytes, then the data in chunks whose buffer grows only as bytes
//! arrive. Every allocation is fallible ([`ErrorKind::Memory`]). Bytes after the
//! data are ignored, as NumPy does, and not read.
//!
//! We write our own small codec instead of using `npyz` or `ndarray-npy` because we
//! need exact control of error messages, allocation limits, dtype widening and
//! big-endian/Fortran handling into our own typed buffers.

mod header;
#[cfg(test)]
mod tests;

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::Path;

use crate::array::alloc::try_with_capacity;
use crate::array::{fmt_shape, shape_size, Array, Data, Order, MAX_DIMS};
use crate::diag::{Error, ErrorKind, Result};
use crate::types::DType;

const MAGIC: &[u8; 6] = b"\x93NUMPY";
/// `np.save` aligns the start of the data to 64 bytes.
const ALIGN: usize = 64;
/// `np.save` leaves room after the shape so the first axis can grow in place.
const GROWTH_AXIS_MAX_DIGITS: usize = 21;
/// The longest header read: `np.save` writes a few hundred bytes even for 64
/// dimensions, and a stream's header is read before anything is known about it.
const MAX_HEADER: u64 = 1 << 20;

/// Read a `.npy` file held in memory.
pub fn read(bytes: &[u8]) -> Result<Array> {
    let mut reader = bytes;
    decode(&mut reader, Some(bytes.len() as u64)).map_err(|fail| fail.into_error("invalid .npy data"))
}

/// Read a `.npy` file. Input errors name the path; OS errors are [`ErrorKind::Io`].
pub fn read_file(path: &Path) -> Result<Array> {
    let shown = path.display();
    let context = format!("cannot read `{shown}`");
    let io_error = |e: io::Error| Error::new(ErrorKind::Io, format!("{context}: {e}"));
    let file = File::open(path).map_err(io_error)?;
    let meta = file.metadata().map_err(io_error)?;
    if meta.is_dir() {
        return Err(Error::new(ErrorKind::Io, format!("{context}: it is a directory")));
    }
    // A pipe or device has no length to check sizes against: it is read as a
    // stream, the magic first, the data only as far as the header says.
    let total = meta.is_file().then_some(meta.len());
    decode(&mut BufReader::new(file), total).map_err(|fail| fail.into_error(&context))
}

/// The bytes of `array` as `np.save` writes them.
pub fn write(array: &Array) -> Vec<u8> {
    let mut out = Vec::with_capacity(ALIGN * 2 + array.len() * array.dtype().size());
    write_to(&mut out, array).expect("writing to a Vec cannot fail");
    out
}

/// Write `array` to a `.npy` file (created or truncated).
pub fn write_file(path: &Path, array: &Array) -> Result<()> {
    let io_error = |e: io::Error| Error::new(ErrorKind::Io, format!("cannot write `{}`: {e}", path.display()));
    let mut w = BufWriter::new(File::create(path).map_err(io_error)?);
    write_to(&mut w, array).map_err(io_error)?;
    w.flush().map_err(io_error)
}

/// Why decoding failed: the data is not a valid `.npy` file, the OS failed, or
/// the array does not fit in memory.
enum Fail {
    Format(String),
    Io(io::Error),
    Memory(String),
}

impl Fail {
    fn into_error(self, context: &str) -> Error {
        match self {
            Fail::Format(msg) => Error::new(ErrorKind::Input, format!("{context}: {msg}")),
            Fail::Io(e) => Error::new(ErrorKind::Io, format!("{context}: {e}")),
            Fail::Memory(msg) => Error::new(ErrorKind::Memory, format!("{context}: {msg}")),
        }
    }
}

impl From<String> for Fail {
    fn from(msg: String) -> Fail {
        Fail::Format(msg)
    }
}

impl From<io::Error> for Fail {
    fn from(e: io::Error) -> Fail {
        // Sizes are checked before reading, so running out of bytes means the file
        // shrank while we read it.
        if e.kind() == io::ErrorKind::UnexpectedEof {
            Fail::Format("file is truncated".to_string())
        } else {
            Fail::Io(e)
        }
    }
}

/// Decode a `.npy` stream of `total` bytes (`None`: a pipe or device, whose
/// length is known only at its end).
fn decode(r: &mut impl Read, total: Option<u64>) -> Result<Array, Fail> {
    let (header_text, left) = read_header_text(r, total)?;
    let header = header::parse(&header_text)?;
    let stored = Stored::parse(&header.descr)?;
    if header.shape.len() > MAX_DIMS {
        return Err(format!("shape has {} dimensions; NumPy allows at most {MAX_DIMS}", header.shape.len()).into());
    }
    let n = shape_size(&header.shape)
        .ok_or_else(|| format!("shape {} is too large: its element count overflows", fmt_shape(&header.shape)))?;
    // At most 2**60 elements of at most 8 bytes: no overflow.
    let nbytes = (n * stored.size()) as u64;
    if let Some(left) = left.filter(|&left| nbytes > left) {
        return Err(format!("file is truncated: header says {nbytes} bytes of data, file has {left}").into());
    }
    // Bytes after the data (left - nbytes of them) are ignored, as NumPy does.
    // A stream's bytes may not all be there: its buffer grows as they arrive.
    let growth = if left.is_some() { Growth::Exact } else { Growth::AsRead };
    let data = stored.read_elements(r, n, growth).map_err(|fail| match fail {
        Fail::Memory(_) => {
            Fail::Memory(format!("cannot allocate memory for {} elements of shape {}", n, fmt_shape(&header.shape)))
        }
        other => other,
    })?;
    let order = if header.fortran_order { Order::Fortran } else { Order::C };
    Ok(Array::with_order(data, header.shape, order).expect("element count matches the shape by construction"))
}

/// Read magic, version, header length and header; return the header text and the
/// number of bytes left after it (`None` for a stream of unknown length).
fn read_header_text(r: &mut impl Read, total: Option<u64>) -> Result<(String, Option<u64>), Fail> {
    let mut prelude = [0u8; 8];
    match total {
        Some(total) if total < prelude.len() as u64 => {
            return Err(format!("not a .npy file: only {total} bytes").into())
        }
        _ => {}
    }
    r.read_exact(&mut prelude).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => Fail::Format("not a .npy file: fewer than 8 bytes".to_string()),
        _ => Fail::Io(e),
    })?;
    if &prelude[..6] != MAGIC {
        return Err("not a .npy file: it does not start with \\x93NUMPY".to_string().into());
    }
    let (major, minor) = (prelude[6], prelude[7]);
    let len_bytes = match (major, minor) {
        (1, 0) => 2,
        (2, 0) | (3, 0) => 4,
        _ => return Err(format!("unsupported .npy format version {major}.{minor} (expected 1.0, 2.0 or 3.0)").into()),
    };
    let mut left = total.map(|t| t - 8);
    if left.is_some_and(|left| left < len_bytes) {
        return Err("file is truncated inside the header length".to_string().into());
    }
    let mut len_buf = [0u8; 4];
    r.read_exact(&mut len_buf[..len_bytes as usize])?;
    left = left.map(|l| l - len_bytes);
    let header_len = u64::from(u32::from_le_bytes(len_buf));
    if let Some(left) = left.filter(|&left| header_len > left) {
        return Err(format!("header length {header_len} goes past the end of the file ({left} bytes left)").into());
    }
    if header_len > MAX_HEADER {
        return Err(format!("header length {header_len} is more than the {MAX_HEADER} bytes any header needs").into());
    }
    let mut raw = vec![0u8; header_len as usize];
    r.read_exact(&mut raw)?;
    left = left.map(|l| l - header_len);
    let text = if major == 3 {
        String::from_utf8(raw).map_err(|e| format!("header is not valid UTF-8: {e}"))?
    } else {
        // Versions 1 and 2 are latin-1: every byte is the char of the same number.
        raw.iter().map(|&b| char::from(b)).collect()
    };
    Ok((text, left))
}

/// An element type as stored in a file, before widening to one of our dtypes.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Stored {
    Bool,
    I8,
    U8,
    I16 { big: bool },
    U16 { big: bool },
    I32 { big: bool },
    U32 { big: bool },
    I64 { big: bool },
    F16 { big: bool },
    F32 { big: bool },
    F64 { big: bool },
}

impl Stored {
    /// Parse a simple dtype string such as `<f8`, `|b1`, `>i2`, `u1`.
    fn parse(descr: &str) -> Result<Stored, String> {
        let (big, rest) = match descr.as_bytes().first() {
            Some(b'<') => (false, &descr[1..]),
            Some(b'>') => (true, &descr[1..]),
            Some(b'|' | b'=') => (cfg!(target_endian = "big"), &descr[1..]),
            _ => (cfg!(target_endian = "big"), descr),
        };
        let mut chars = rest.chars();
        let kind = chars.next().unwrap_or(' ');
        let size: Option<usize> = chars.as_str().parse().ok();
        let stored = match (kind, size) {
            ('b', Some(1)) => Stored::Bool,
            ('i', Some(1)) => Stored::I8,
            ('u', Some(1)) => Stored::U8,
            ('i', Some(2)) => Stored::I16 { big },
            ('u', Some(2)) => Stored::U16 { big },
            ('i', Some(4)) => Stored::I32 { big },
            ('u', Some(4)) => Stored::U32 { big },
            ('i', Some(8)) => Stored::I64 { big },
            ('f', Some(2)) => Stored::F16 { big },
            ('f', Some(4)) => Stored::F32 { big },
            ('f', Some(8)) => Stored::F64 { big },
            _ => return Err(unsupported_dtype(descr, kind, size)),
        };
        Ok(stored)
    }

    /// The dtype elements are read as.
    fn dtype(self) -> DType {
        match self {
            Stored::Bool => DType::Bool,
            Stored::I8 | Stored::U8 | Stored::I16 { .. } | Stored::U16 { .. } | Stored::I32 { .. } => DType::Int32,
            Stored::U32 { .. } | Stored::I64 { .. } => DType::Int64,
            Stored::F16 { .. } | Stored::F32 { .. } => DType::Float32,
            Stored::F64 { .. } => DType::Float64,
        }
    }

    /// Bytes per element in the file.
    fn size(self) -> usize {
        match self {
            Stored::Bool | Stored::I8 | Stored::U8 => 1,
            Stored::I16 { .. } | Stored::U16 { .. } | Stored::F16 { .. } => 2,
            Stored::I32 { .. } | Stored::U32 { .. } | Stored::F32 { .. } => 4,
            Stored::I64 { .. } | Stored::F64 { .. } => 8,
        }
    }

    /// Read `n` elements into our dtype.
    fn read_elements(self, r: &mut impl Read, n: usize, growth: Growth) -> Result<Data, Fail> {
        Ok(match self {
            Stored::Bool => Data::Bool(elements(r, n, growth, |b: [u8; 1]| b[0] != 0)?),
            Stored::I8 => Data::Int32(elements(r, n, growth, |b: [u8; 1]| i32::from(b[0] as i8))?),
            Stored::U8 => Data::Int32(elements(r, n, growth, |b: [u8; 1]| i32::from(b[0]))?),
            Stored::I16 { big } => Data::Int32(elements(r, n, growth, |b| i32::from(i16::from_le_bytes(le(b, big))))?),
            Stored::U16 { big } => Data::Int32(elements(r, n, growth, |b| i32::from(u16::from_le_bytes(le(b, big))))?),
            Stored::I32 { big } => Data::Int32(elements(r, n, growth, |b| i32::from_le_bytes(le(b, big)))?),
            Stored::U32 { big } => Data::Int64(elements(r, n, growth, |b| i64::from(u32::from_le_bytes(le(b, big))))?),
            Stored::I64 { big } => Data::Int64(elements(r, n, growth, |b| i64::from_le_bytes(le(b, big)))?),
            Stored::F16 { big } => {
                Data::Float32(elements(r, n, growth, |b| f16_to_f32(u16::from_le_bytes(le(b, big))))?)
            }
            Stored::F32 { big } => Data::Float32(elements(r, n, growth, |b| f32::from_le_bytes(le(b, big)))?),
            Stored::F64 { big } => Data::Float64(elements(r, n, growth, |b| f64::from_le_bytes(le(b, big)))?),
        })
    }
}

/// The message for a dtype we do not read, naming it.
fn unsupported_dtype(descr: &str, kind: char, size: Option<usize>) -> String {
    match kind {
        'u' if size == Some(8) => format!(
            "dtype uint64 ('{descr}') is not supported: values above 2**63 do not fit int64; \
             convert to int64 or float64 first"
        ),
        'c' => format!("complex dtype '{descr}' is not supported: save the real and imaginary parts separately"),
        'f' if matches!(size, Some(12 | 16)) => {
            format!("float dtype '{descr}' (long double) is not supported: convert to float64 first")
        }
        'U' | 'S' | 'a' => format!("string dtype '{descr}' is not supported: jitexpr computes on numbers only"),
        'O' => format!("object dtype '{descr}' is not supported: jitexpr computes on numbers only"),
        'V' => format!("void/structured dtype '{descr}' is not supported: save each field as its own .npy file"),
        'M' | 'm' => format!("datetime dtype '{descr}' is not supported: convert to int64 or float64 first"),
        _ => format!("dtype '{descr}' is not supported (expected bool, integer or float)"),
    }
}

/// Bytes in little-endian order.
fn le<const N: usize>(mut bytes: [u8; N], big: bool) -> [u8; N] {
    if big {
        bytes.reverse();
    }
    bytes
}

/// How [`elements`] allocates its result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Growth {
    /// All at once: the bytes are known to be present (a file of known length).
    Exact,
    /// Chunk by chunk as bytes arrive (a stream), so a header that lies about
    /// the size costs no more memory than the bytes that really come.
    AsRead,
}

/// Read `n` elements of `N` bytes each, converting each with `f`, through a small
/// buffer so that memory stays the size of the result. Allocation is fallible.
fn elements<T, const N: usize>(
    r: &mut impl Read,
    n: usize,
    growth: Growth,
    f: impl Fn([u8; N]) -> T,
) -> Result<Vec<T>, Fail> {
    const CHUNK_BYTES: usize = 1 << 16;
    let per_chunk = CHUNK_BYTES / N;
    let no_memory = || Fail::Memory(String::new());
    let mut out = match growth {
        Growth::Exact => try_with_capacity(n).ok_or_else(no_memory)?,
        Growth::AsRead => Vec::new(),
    };
    let mut buf = vec![0u8; per_chunk.min(n) * N];
    let mut left = n;
    while left > 0 {
        let k = left.min(per_chunk);
        let bytes = &mut buf[..k * N];
        r.read_exact(bytes)?;
        out.try_reserve(k).map_err(|_| no_memory())?;
        out.extend(bytes.chunks_exact(N).map(|c| f(c.try_into().expect("chunks_exact yields N bytes"))));
        left -= k;
    }
    Ok(out)
}

/// IEEE half to single precision, exactly (every half is a single).
fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let exp = u32::from((h >> 10) & 0x1f);
    let mant = u32::from(h & 0x3ff);
    let bits = match (exp, mant) {
        (0, 0) => sign,
        // Subnormal half: mant * 2**-24, a normal single; shift the leading one up
        // into the implicit bit and lower the exponent accordingly.
        (0, _) => {
            let shift = mant.leading_zeros() - 21;
            let exp32 = 127 - 15 + 1 - shift;
            sign | (exp32 << 23) | (((mant << shift) & 0x3ff) << 13)
        }
        // Inf and NaN (NaN payload kept, so quiet stays quiet).
        (0x1f, _) => sign | 0x7f80_0000 | (mant << 13),
        _ => sign | ((exp + 127 - 15) << 23) | (mant << 13),
    };
    f32::from_bits(bits)
}

/// Header then elements, little-endian, in the array's memory order.
fn write_to(w: &mut impl Write, array: &Array) -> io::Result<()> {
    w.write_all(&header_bytes(array.dtype(), array.shape(), array.order()))?;
    write_data(w, array.data())
}

/// Elements, little-endian.
fn write_data(w: &mut impl Write, data: &Data) -> io::Result<()> {
    fn each<T: Copy, const N: usize>(w: &mut impl Write, v: &[T], f: impl Fn(T) -> [u8; N]) -> io::Result<()> {
        let mut bytes = Vec::with_capacity(4096 * N);
        for chunk in v.chunks(4096) {
            bytes.clear();
            chunk.iter().for_each(|&x| bytes.extend_from_slice(&f(x)));
            w.write_all(&bytes)?;
        }
        Ok(())
    }
    match data {
        Data::Bool(v) => each(w, v, |x| [u8::from(x)]),
        Data::Int32(v) => each(w, v, i32::to_le_bytes),
        Data::Int64(v) => each(w, v, i64::to_le_bytes),
        Data::Float32(v) => each(w, v, f32::to_le_bytes),
        Data::Float64(v) => each(w, v, f64::to_le_bytes),
    }
}

/// Magic, version and the padded header, exactly as NumPy's `_write_array_header`:
/// keys sorted, growth room after the shape, spaces up to a 64-byte boundary, `\n`.
/// Version 1.0 unless the header needs more than 65535 bytes.
fn header_bytes(dtype: DType, shape: &[usize], order: Order) -> Vec<u8> {
    let descr = match dtype {
        DType::Bool => "|b1",
        DType::Int32 => "<i4",
        DType::Int64 => "<i8",
        DType::Float32 => "<f4",
        DType::Float64 => "<f8",
    };
    let fortran = if order == Order::Fortran { "True" } else { "False" };
    let mut dict = format!("{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {}, }}", fmt_shape(shape));
    if let Some(first) = shape.first() {
        dict.push_str(&" ".repeat(GROWTH_AXIS_MAX_DIGITS.saturating_sub(first.to_string().len())));
    }
    let text_len = dict.len() + 1; // with the final '\n'
                                   // NumPy pads by a full ALIGN when already aligned; keep that for byte equality.
    let pad = |prefix: usize| ALIGN - (prefix + text_len) % ALIGN;
    let (version, prefix) = if text_len + pad(10) <= usize::from(u16::MAX) { (1u8, 10) } else { (2u8, 12) };
    let pad = pad(prefix);
    let header_len = text_len + pad;
    let mut out = Vec::with_capacity(prefix + header_len);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[version, 0]);
    if version == 1 {
        out.extend_from_slice(&(header_len as u16).to_le_bytes());
    } else {
        let len = u32::try_from(header_len).expect("a header needs a billion dimensions to pass 4 GiB");
        out.extend_from_slice(&len.to_le_bytes());
    }
    out.extend_from_slice(dict.as_bytes());
    out.extend(std::iter::repeat_n(b' ', pad));
    out.push(b'\n');
    out
}

/// An open `.npy` file whose elements are read a range at a time with
/// positioned reads (`pread`), for streaming: nothing but the header is read
/// when it is opened, and the file is never written.
#[derive(Debug)]
pub struct NpyReader {
    file: File,
    path: std::path::PathBuf,
    stored: Stored,
    shape: Vec<usize>,
    order: Order,
    /// Byte offset of the first element.
    data_start: u64,
}

impl NpyReader {
    /// Open `path` and check its header and size, as [`read_file`] does.
    pub fn open(path: &Path) -> Result<NpyReader> {
        let context = format!("cannot read `{}`", path.display());
        let io_error = |e: io::Error| Error::new(ErrorKind::Io, format!("{context}: {e}"));
        let file = File::open(path).map_err(io_error)?;
        let meta = file.metadata().map_err(io_error)?;
        if !meta.is_file() {
            return Err(Error::new(ErrorKind::Io, format!("{context}: not a regular file")));
        }
        let total = meta.len();
        let parse = || -> Result<NpyReader, Fail> {
            let mut r = BufReader::new(&file);
            let (header_text, left) = read_header_text(&mut r, Some(total))?;
            let left = left.expect("a file of known length");
            let header = header::parse(&header_text)?;
            let stored = Stored::parse(&header.descr)?;
            if header.shape.len() > MAX_DIMS {
                return Err(
                    format!("shape has {} dimensions; NumPy allows at most {MAX_DIMS}", header.shape.len()).into()
                );
            }
            let nbytes = shape_size(&header.shape)
                .and_then(|n| n.checked_mul(stored.size()))
                .and_then(|b| u64::try_from(b).ok())
                .ok_or_else(|| format!("shape {} is too large: its data size overflows", fmt_shape(&header.shape)))?;
            if nbytes > left {
                return Err(format!("file is truncated: header says {nbytes} bytes of data, file has {left}").into());
            }
            let order = if header.fortran_order { Order::Fortran } else { Order::C };
            let file = file.try_clone()?;
            Ok(NpyReader {
                file,
                path: path.to_path_buf(),
                stored,
                shape: header.shape,
                order,
                data_start: total - left,
            })
        };
        parse().map_err(|fail| fail.into_error(&context))
    }

    /// The dtype the elements are read as (narrow ones widened).
    pub fn dtype(&self) -> DType {
        self.stored.dtype()
    }

    /// The array's shape, from the header.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The order the elements are stored in.
    pub fn order(&self) -> Order {
        self.order
    }

    /// Elements `range` in the file's memory order.
    pub fn read_elements(&self, range: std::ops::Range<usize>) -> Result<Data> {
        let size = self.stored.size() as u64;
        let mut at = At { file: &self.file, pos: self.data_start + range.start as u64 * size };
        self.stored
            .read_elements(&mut at, range.len(), Growth::Exact)
            .map_err(|e| e.into_error(&format!("cannot read `{}`", self.path.display())))
    }
}

/// A reader at a position of a file, by positioned reads: it leaves the file
/// offset alone, so readers of one file never disturb each other.
struct At<'a> {
    file: &'a File,
    pos: u64,
}

impl Read for At<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use std::os::unix::fs::FileExt;
        let n = self.file.read_at(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

/// A `.npy` file written a piece at a time: into a temporary file next to the
/// destination, renamed over it by [`NpyWriter::commit`] once every element has
/// been written and synced. Dropped without a commit, the temporary is removed:
/// a failed run never leaves a half-written file under the destination's name.
#[derive(Debug)]
pub struct NpyWriter {
    w: BufWriter<File>,
    tmp: std::path::PathBuf,
    dest: std::path::PathBuf,
    /// Elements still to write.
    left: usize,
    dtype: DType,
    committed: bool,
}

impl NpyWriter {
    /// Start writing an array of `dtype` and `shape` stored in `order` to `dest`.
    pub fn create(dest: &Path, dtype: DType, shape: &[usize], order: Order) -> Result<NpyWriter> {
        let io_error = |e: io::Error| Error::new(ErrorKind::Io, format!("cannot write `{}`: {e}", dest.display()));
        let name = dest.file_name().ok_or_else(|| io_error(io::Error::other("not a file name")))?;
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".{}.jitexpr-tmp", std::process::id()));
        let tmp = dest.with_file_name(tmp_name);
        let file = File::create(&tmp).map_err(io_error)?;
        let left = shape_size(shape).ok_or_else(|| io_error(io::Error::other("the shape's size overflows")))?;
        let mut writer = NpyWriter {
            w: BufWriter::with_capacity(1 << 20, file),
            tmp,
            dest: dest.to_path_buf(),
            left,
            dtype,
            committed: false,
        };
        writer.w.write_all(&header_bytes(dtype, shape, order)).map_err(io_error)?;
        Ok(writer)
    }

    /// The temporary file being written (readable once [`NpyWriter::flush`]ed).
    pub fn temporary(&self) -> &Path {
        &self.tmp
    }

    /// Append elements (in the file's memory order).
    pub fn write(&mut self, data: &Data) -> Result<()> {
        if data.dtype() != self.dtype || data.len() > self.left {
            return Err(Error::new(
                ErrorKind::Io,
                format!("cannot write `{}`: more elements or another dtype than its header says", self.dest.display()),
            ));
        }
        self.left -= data.len();
        write_data(&mut self.w, data).map_err(|e| self.error(e))
    }

    /// Push buffered elements to the file, so that reading it sees them.
    pub fn flush(&mut self) -> Result<()> {
        self.w.flush().map_err(|e| self.error(e))
    }

    /// Sync the complete file and rename it over the destination.
    pub fn commit(mut self) -> Result<()> {
        if self.left != 0 {
            return Err(self.error(io::Error::other(format!("{} elements were never written", self.left))));
        }
        self.w.flush().map_err(|e| self.error(e))?;
        self.w.get_ref().sync_all().map_err(|e| self.error(e))?;
        std::fs::rename(&self.tmp, &self.dest).map_err(|e| self.error(e))?;
        self.committed = true;
        Ok(())
    }

    fn error(&self, e: io::Error) -> Error {
        Error::new(ErrorKind::Io, format!("cannot write `{}`: {e}", self.dest.display()))
    }
}

impl Drop for NpyWriter {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: the run already failed with a better error.
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}
