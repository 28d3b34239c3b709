//! CRC-32 (ISO-HDLC: the PNG chunk and GZIP trailer checksum, reflected polynomial
//! `0xEDB88320`) with one 1 KiB table built at compile time. Chosen over a slice-by-16 crate
//! because its 16 KiB of incompressible tables cost as much in the gzipped wasm bundle as
//! the whole checksum is worth: badge images and status lists are small. Pure, no I/O.

/// The byte-at-a-time lookup table, computed by the compiler.
const TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 == 1 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[n] = c;
        n += 1;
    }
    table
};

/// A running CRC-32 over several byte slices.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Crc32(u32);

impl Crc32 {
    /// The checksum of nothing yet.
    pub(crate) fn new() -> Self {
        Crc32(!0)
    }

    /// Adds `bytes`.
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        let mut c = self.0;
        for &b in bytes {
            c = TABLE[usize::from((c as u8) ^ b)] ^ (c >> 8);
        }
        self.0 = c;
    }

    /// The checksum of everything added.
    pub(crate) fn finalize(self) -> u32 {
        !self.0
    }
}

/// The CRC-32 of `bytes`.
pub(crate) fn hash(bytes: &[u8]) -> u32 {
    let mut crc = Crc32::new();
    crc.update(bytes);
    crc.finalize()
}

#[cfg(test)]
mod tests {
    use super::{Crc32, hash};

    #[test]
    fn check_value_and_known_chunks() {
        // The CRC catalogue's check value for CRC-32/ISO-HDLC.
        assert_eq!(hash(b"123456789"), 0xCBF4_3926);
        assert_eq!(hash(b""), 0);
        // The CRC of an `IEND` chunk (type, no data), as every PNG file ends with it.
        assert_eq!(hash(b"IEND"), 0xAE42_6082);
    }

    #[test]
    fn pieces_equal_the_whole() {
        let text: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        for cut in [0, 1, 4, 499, 1000] {
            let mut crc = Crc32::new();
            crc.update(&text[..cut]);
            crc.update(&text[cut..]);
            assert_eq!(crc.finalize(), hash(&text), "cut at {cut}");
        }
    }

    #[test]
    fn agrees_with_crc32fast() {
        let mut bytes = Vec::new();
        for len in [0usize, 1, 3, 15, 16, 17, 64, 1000, 70_000] {
            bytes.resize(len, 0);
            for (i, b) in bytes.iter_mut().enumerate() {
                *b = (i.wrapping_mul(2_654_435_761) >> 13) as u8;
            }
            assert_eq!(hash(&bytes), crc32fast::hash(&bytes), "{len} bytes");
        }
    }
}
