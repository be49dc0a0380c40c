//! Tests of the `.npy` codec against files NumPy wrote (`tests/data/*.npy`, made by
//! `tests/data/gen_fixtures.py`), round trips, and hostile input.

use super::*;
use expect_test::expect;
use proptest::prelude::*;
use std::path::PathBuf;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(data_dir().join(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// Every fixture's file name, sorted.
fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(data_dir())
        .expect("tests/data exists")
        .map(|e| e.expect("dir entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".npy"))
        .collect();
    names.sort();
    names
}

fn describe(result: Result<Array>) -> String {
    match result {
        // Fortran-order arrays are shown by their elements in index order.
        Ok(a) => {
            let order = if a.order() == crate::array::Order::Fortran { "F " } else { "" };
            format!("{} {} {order}{:?}", a.dtype(), fmt_shape(a.shape()), a.to_c_order().data())
        }
        Err(e) => format!("{:?}: {}", e.kind, e.message),
    }
}

#[test]
fn reads_every_accepted_fixture() {
    let out: Vec<String> = fixture_names()
        .iter()
        .filter(|n| !n.starts_with("reject_"))
        .map(|n| format!("{n}: {}", describe(read(&fixture(n)))))
        .collect();
    expect![[r#"
        bool.npy: bool (3,) Bool([true, false, true])
        bool_nonzero.npy: bool (4,) Bool([false, true, true, true])
        c_3d.npy: int32 (2, 3, 4) Int32([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23])
        empty_0x3_i4.npy: int32 (0, 3) Int32([])
        empty_2x0_b1.npy: bool (2, 0) Bool([])
        empty_f8.npy: float64 (0,) Float64([])
        f2_be.npy: float32 (12,) Float32([0.0, -0.0, 1.0, -2.0, 65504.0, 6.1035156e-5, 5.9604645e-8, 1.7881393e-7, 6.097555e-5, inf, -inf, NaN])
        f2_le.npy: float32 (12,) Float32([0.0, -0.0, 1.0, -2.0, 65504.0, 6.1035156e-5, 5.9604645e-8, 1.7881393e-7, 6.097555e-5, inf, -inf, NaN])
        f4_be.npy: float32 (10,) Float32([0.0, -0.0, 1.5, -2.25, 1e-30, 1e-45, 3e38, inf, -inf, NaN])
        f4_le.npy: float32 (10,) Float32([0.0, -0.0, 1.5, -2.25, 1e-30, 1e-45, 3e38, inf, -inf, NaN])
        f8_be.npy: float64 (10,) Float64([0.0, -0.0, 1.5, -2.25, 1e-300, 5e-324, 1e300, inf, -inf, NaN])
        f8_le.npy: float64 (10,) Float64([0.0, -0.0, 1.5, -2.25, 1e-300, 5e-324, 1e300, inf, -inf, NaN])
        fortran_2d.npy: float64 (2, 3) F Float64([0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
        fortran_3d.npy: int32 (2, 3, 4) F Int32([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23])
        fortran_3d_be.npy: int64 (2, 3, 4) F Int64([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23])
        i1.npy: int32 (5,) Int32([0, 1, -1, 127, -128])
        i2_be.npy: int32 (5,) Int32([0, 1, -1, 32767, -32768])
        i2_le.npy: int32 (5,) Int32([0, 1, -1, 32767, -32768])
        i4_be.npy: int32 (5,) Int32([0, 1, -1, 2147483647, -2147483648])
        i4_le.npy: int32 (5,) Int32([0, 1, -1, 2147483647, -2147483648])
        i8_be.npy: int64 (5,) Int64([0, 1, -1, 9223372036854775807, -9223372036854775808])
        i8_le.npy: int64 (5,) Int64([0, 1, -1, 9223372036854775807, -9223372036854775808])
        save_f4_rank4.npy: float32 (1, 2, 1, 3) Float32([1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
        save_f8_2x3.npy: float64 (2, 3) Float64([0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
        save_i8_long_shape.npy: int64 (12345678901, 0) Int64([])
        scalar_f8.npy: float64 () Float64([2.5])
        scalar_i4.npy: int32 () Int32([7])
        u1.npy: int32 (3,) Int32([0, 1, 255])
        u2_be.npy: int32 (3,) Int32([0, 1, 65535])
        u2_le.npy: int32 (3,) Int32([0, 1, 65535])
        u4_be.npy: int64 (3,) Int64([0, 1, 4294967295])
        u4_le.npy: int64 (3,) Int64([0, 1, 4294967295])
        v2.npy: float64 (5,) Float64([0.0, 1.0, 2.0, 3.0, 4.0])
        v3.npy: int32 (5,) Int32([0, 1, 2, 3, 4])"#]]
    .assert_eq(&out.join("\n"));
}

#[test]
fn rejects_unsupported_dtypes_naming_them() {
    let out: Vec<String> = fixture_names()
        .iter()
        .filter(|n| n.starts_with("reject_"))
        .map(|n| format!("{n}: {}", describe(read(&fixture(n)))))
        .collect();
    expect![[r#"
        reject_bytes.npy: Input: invalid .npy data: string dtype '|S2' is not supported: jitexpr computes on numbers only
        reject_c16.npy: Input: invalid .npy data: complex dtype '<c16' is not supported: save the real and imaginary parts separately
        reject_c8.npy: Input: invalid .npy data: complex dtype '<c8' is not supported: save the real and imaginary parts separately
        reject_datetime.npy: Input: invalid .npy data: datetime dtype '<M8[D]' is not supported: convert to int64 or float64 first
        reject_longdouble.npy: Input: invalid .npy data: float dtype '<f16' (long double) is not supported: convert to float64 first
        reject_object.npy: Input: invalid .npy data: object dtype '|O' is not supported: jitexpr computes on numbers only
        reject_struct.npy: Input: invalid .npy data: structured (record) dtypes are not supported: save each field as its own .npy file
        reject_timedelta.npy: Input: invalid .npy data: datetime dtype '<m8[s]' is not supported: convert to int64 or float64 first
        reject_u8.npy: Input: invalid .npy data: dtype uint64 ('<u8') is not supported: values above 2**63 do not fit int64; convert to int64 or float64 first
        reject_unicode.npy: Input: invalid .npy data: string dtype '<U2' is not supported: jitexpr computes on numbers only
        reject_void.npy: Input: invalid .npy data: void/structured dtype '|V4' is not supported: save each field as its own .npy file"#]]
    .assert_eq(&out.join("\n"));
}

#[test]
fn writes_the_bytes_np_save_writes() {
    let same_as_numpy = [
        "bool.npy",
        "c_3d.npy",
        "empty_0x3_i4.npy",
        "empty_2x0_b1.npy",
        "empty_f8.npy",
        "f4_le.npy",
        "f8_le.npy",
        // Fortran order is kept as read, so it is written back as it was.
        "fortran_2d.npy",
        "fortran_3d.npy",
        "i4_le.npy",
        "i8_le.npy",
        "save_f4_rank4.npy",
        "save_f8_2x3.npy",
        "save_i8_long_shape.npy",
        "scalar_f8.npy",
        "scalar_i4.npy",
    ];
    for name in same_as_numpy {
        let bytes = fixture(name);
        let array = read(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(write(&array) == bytes, "{name}: our bytes differ from np.save's");
    }
}

/// Arrays of every dtype and rank 0..=3, plus empty ones.
fn sample_arrays() -> Vec<Array> {
    let shapes: [&[usize]; 7] = [&[], &[5], &[2, 3], &[2, 3, 4], &[0], &[3, 0], &[0, 2, 2]];
    let mut out = Vec::new();
    for shape in shapes {
        let n = shape_size(shape).expect("small shape");
        let datas = [
            Data::Bool((0..n).map(|i| i % 3 == 0).collect()),
            Data::Int32((0..n).map(|i| (i as i32 - 7) * 1_000_003).collect()),
            Data::Int64((0..n).map(|i| (i as i64 - 7) << 40).collect()),
            Data::Float32((0..n).map(|i| i as f32 / 7.0 - 1.0).collect()),
            Data::Float64((0..n).map(|i| (i as f64).sqrt() - 2.0).collect()),
        ];
        out.extend(datas.into_iter().map(|d| Array::new(d, shape.to_vec()).expect("size matches")));
    }
    out
}

#[test]
fn round_trips_every_dtype_and_rank() {
    for array in sample_arrays() {
        let bytes = write(&array);
        assert_eq!(read(&bytes).as_ref(), Ok(&array));
        // Data starts at a multiple of 64 bytes, after a '\n'-terminated header.
        let data_start = bytes.len() - array.len() * array.dtype().size();
        assert_eq!(data_start % ALIGN, 0);
        assert_eq!(bytes[data_start - 1], b'\n');
    }
}

#[test]
fn round_trips_special_floats_bit_for_bit() {
    let values = [0.0, -0.0, f64::NAN, -f64::NAN, f64::INFINITY, f64::MIN_POSITIVE / 4.0, f64::MAX];
    let array = Array::from_vec(values.to_vec());
    let back = read(&write(&array)).expect("round trip");
    let bits = |a: &Array| a.as_slice::<f64>().expect("f64").iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&back), bits(&array));
}

#[test]
fn huge_header_is_written_as_version_2() {
    // Only reachable with more dimensions than NumPy allows (so reading refuses
    // it), but the rule is NumPy's.
    let mut bytes = header_bytes(DType::Float64, &[1; 30_000], Order::C);
    bytes.extend_from_slice(&1.5f64.to_le_bytes());
    assert_eq!(&bytes[6..8], &[2, 0]);
    let header_len = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes")) as usize;
    assert_eq!((12 + header_len) % ALIGN, 0);
    assert_eq!(bytes.len(), 12 + header_len + 8);
    let err = read(&bytes).unwrap_err();
    assert!(err.message.ends_with("shape has 30000 dimensions; NumPy allows at most 64"), "{}", err.message);
}

#[test]
fn file_round_trip_and_io_errors_name_the_path() {
    let dir = std::env::temp_dir().join(format!("jitexpr-npy-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("a.npy");
    let array = Array::from_vec(vec![1i64, 2, 3]);
    write_file(&path, &array).expect("write");
    assert_eq!(read_file(&path), Ok(array));

    let missing = dir.join("missing.npy");
    let err = read_file(&missing).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Io);
    assert!(err.message.contains("missing.npy") && err.message.contains("No such file"), "{}", err.message);

    let err = read_file(&dir).unwrap_err();
    assert_eq!((err.kind, err.message.ends_with("it is a directory")), (ErrorKind::Io, true), "{}", err.message);

    std::fs::write(&path, b"\x93NUMPY\x01\x00").expect("write");
    let err = read_file(&path).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Input);
    assert!(err.message.starts_with(&format!("cannot read `{}`: ", path.display())), "{}", err.message);

    let err = write_file(&dir.join("no/such/dir.npy"), &Array::from_vec(vec![1.0])).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Io);
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

/// A v1.0 file with this header text (padded like NumPy's) and these data bytes.
fn v1_file(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut text = dict.to_string();
    while !(10 + text.len() + 1).is_multiple_of(ALIGN) {
        text.push(' ');
    }
    text.push('\n');
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&[1, 0]);
    out.extend_from_slice(&(text.len() as u16).to_le_bytes());
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(data);
    out
}

#[test]
fn hostile_headers_fail_with_clear_messages() {
    let f8 = |shape: &str| format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}");
    let mut bad_utf8 = fixture("v3.npy");
    bad_utf8[12] = 0xff;
    let mut bad_version = fixture("f8_le.npy");
    bad_version[6] = 4;
    let mut long_header = fixture("f8_le.npy");
    long_header[8..10].copy_from_slice(&u16::MAX.to_le_bytes());
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("claims 10**12 elements", v1_file(&f8("(1000000000000,)"), &[0; 36])),
        ("element count overflows", v1_file(&f8("(4294967296, 4294967296, 4294967296)"), &[])),
        ("byte size overflows", v1_file(&f8("(4611686018427387904,)"), &[])),
        ("one element short", v1_file(&f8("(2, 2)"), &[0; 31])),
        ("negative dim", v1_file(&f8("(-1,)"), &[])),
        ("empty", vec![]),
        ("bad magic", b"\x93NUMPZ\x01\x00\x00\x00".to_vec()),
        ("version 4.0", bad_version),
        ("header length past end", long_header),
        ("v3 header not utf-8", bad_utf8),
        ("not a dict", v1_file("('<f8', False, (3,))", &[])),
    ];
    let out: Vec<String> =
        cases.into_iter().map(|(what, bytes)| format!("{what}: {}", describe(read(&bytes)))).collect();
    expect![[r#"
        claims 10**12 elements: Input: invalid .npy data: file is truncated: header says 8000000000000 bytes of data, file has 36
        element count overflows: Input: invalid .npy data: shape (4294967296, 4294967296, 4294967296) is too large: its element count overflows
        byte size overflows: Input: invalid .npy data: shape (4611686018427387904,) is too large: its element count overflows
        one element short: Input: invalid .npy data: file is truncated: header says 32 bytes of data, file has 31
        negative dim: Input: invalid .npy data: shape (-1,) has a negative dimension -1
        empty: Input: invalid .npy data: not a .npy file: only 0 bytes
        bad magic: Input: invalid .npy data: not a .npy file: it does not start with \x93NUMPY
        version 4.0: Input: invalid .npy data: unsupported .npy format version 4.0 (expected 1.0, 2.0 or 3.0)
        header length past end: Input: invalid .npy data: header length 65535 goes past the end of the file (198 bytes left)
        v3 header not utf-8: Input: invalid .npy data: header is not valid UTF-8: invalid utf-8 sequence of 1 bytes from index 0
        not a dict: Input: invalid .npy data: header is not a dict: ('<f8', False, (3,))"#]]
    .assert_eq(&out.join("\n"));
}

#[test]
fn trailing_bytes_after_the_data_are_ignored() {
    let mut bytes = fixture("i4_le.npy");
    bytes.extend_from_slice(b"garbage");
    assert_eq!(read(&bytes), read(&fixture("i4_le.npy")));
}

#[test]
fn every_truncation_of_every_fixture_is_an_error() {
    for name in fixture_names() {
        let bytes = fixture(&name);
        for len in 0..bytes.len() {
            assert!(read(&bytes[..len]).is_err(), "{name} cut at {len} was accepted");
        }
    }
}

#[test]
fn flipped_header_bytes_never_panic() {
    for name in fixture_names() {
        let bytes = fixture(&name);
        let header_end = bytes.iter().position(|&b| b == b'\n').unwrap_or(bytes.len());
        for i in 0..header_end {
            for mask in [0x01, 0x20, 0x80, 0xff] {
                let mut corrupt = bytes.clone();
                corrupt[i] ^= mask;
                let _ = read(&corrupt);
            }
        }
    }
}

#[test]
fn half_to_single_is_exact_for_all_65536_halves() {
    for h in 0..=u16::MAX {
        let sign = if h >> 15 == 1 { -1.0 } else { 1.0 };
        let exp = i32::from((h >> 10) & 0x1f);
        let mant = f64::from(h & 0x3ff);
        let got = f16_to_f32(h);
        match exp {
            0x1f if mant == 0.0 => assert_eq!(got, sign as f32 * f32::INFINITY),
            0x1f => assert!(got.is_nan() && got.is_sign_negative() == (h >> 15 == 1), "{h:#x}"),
            0 => assert_eq!(got.to_bits(), ((sign * mant * 2f64.powi(-24)) as f32).to_bits(), "{h:#x}"),
            _ => assert_eq!(got.to_bits(), ((sign * (1.0 + mant / 1024.0) * 2f64.powi(exp - 15)) as f32).to_bits()),
        }
    }
}

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = read(&bytes);
    }

    #[test]
    fn valid_prefix_with_random_rest_never_panics(
        cut in 0usize..128,
        rest in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let mut bytes = fixture("f8_le.npy");
        bytes.truncate(cut);
        bytes.extend_from_slice(&rest);
        let _ = read(&bytes);
    }
}

#[test]
fn defect6_a_header_longer_than_any_real_one_is_refused_before_it_is_read() {
    let mut bytes = b"\x93NUMPY\x02\x00".to_vec();
    let len = 2u32 << 20;
    bytes.extend_from_slice(&len.to_le_bytes());
    bytes.resize(bytes.len() + len as usize, b' ');
    let err = read(&bytes).unwrap_err();
    assert_eq!(err.message, "invalid .npy data: header length 2097152 is more than the 1048576 bytes any header needs");
}

#[test]
fn defect6_a_stream_that_claims_terabytes_costs_only_the_bytes_that_arrive() {
    // A stream has no length to check the header against: the data is read as it
    // comes, so 2**40 announced elements followed by two fail as truncated, with
    // no attempt to allocate 8 TB first.
    let mut bytes = header_bytes(DType::Float64, &[1 << 40], Order::C);
    bytes.extend_from_slice(&[0u8; 16]);
    let Err(Fail::Format(msg)) = decode(&mut &bytes[..], None) else { panic!("a format error") };
    assert_eq!(msg, "file is truncated");
    // Junk is refused after its first 8 bytes, however long the stream.
    let Err(Fail::Format(msg)) = decode(&mut std::io::repeat(0), None) else { panic!("a format error") };
    assert_eq!(msg, "not a .npy file: it does not start with \\x93NUMPY");
}
