//! The next place where two adjacent bytes pass a test: the search under
//! the scanner's rare markers (a scheme's last letter and its colon, the
//! `<` of a raw-text region and the byte after it).
//!
//! One pass tests both bytes of every pair, where a literal search per
//! marker would be a pass each. The bytes are read in blocks of 64 whose
//! pairs are all tested without a branch (which the compiler turns into
//! vector compares), and only a block with a hit is looked at byte by byte.
//! On x86-64 the blocks are compiled twice, and the AVX2 copy is used when
//! the processor has it, as `memchr` does.

/// The first `i >= from` whose pair `hay[i], hay[i + 1]` passes `test`.
///
/// `test` is called on every pair of a block, also past a hit, so it must
/// be cheap and free of effects; written with `&` and `|` rather than `&&`
/// and `||`, it has no branch and is vectorized.
#[inline]
pub fn find<T: Fn(u8, u8) -> bool + Copy>(hay: &[u8], from: usize, test: T) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2 (asked just above), the only
        // feature `find_avx2` is compiled for.
        return unsafe { find_avx2(hay, from, test) };
    }
    find_blocks(hay, from, test)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn find_avx2<T: Fn(u8, u8) -> bool + Copy>(hay: &[u8], from: usize, test: T) -> Option<usize> {
    find_blocks(hay, from, test)
}

const BLOCK: usize = 64;

#[inline(always)]
fn find_blocks<T: Fn(u8, u8) -> bool + Copy>(hay: &[u8], from: usize, test: T) -> Option<usize> {
    let mut i = from;
    // A block needs the byte after its last one too.
    while i + BLOCK < hay.len() {
        let first: &[u8; BLOCK] = hay[i..i + BLOCK].try_into().expect("a block");
        let second: &[u8; BLOCK] = hay[i + 1..i + 1 + BLOCK].try_into().expect("a block");
        let mut any = false;
        for j in 0..BLOCK {
            any |= test(first[j], second[j]);
        }
        if any {
            return (0..BLOCK)
                .find(|&j| test(first[j], second[j]))
                .map(|j| i + j);
        }
        i += BLOCK;
    }
    while i + 1 < hay.len() {
        if test(hay[i], hay[i + 1]) {
            return Some(i);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::Rng;

    fn naive(hay: &[u8], from: usize, test: impl Fn(u8, u8) -> bool) -> Option<usize> {
        (from..hay.len().saturating_sub(1)).find(|&i| test(hay[i], hay[i + 1]))
    }

    /// Every answer is the first passing pair at or after `from`, the same
    /// as a byte-by-byte search, for texts of every length around the block
    /// size, hits anywhere (the last pair of a block and of the text too),
    /// and both the vector copy and the plain one.
    #[test]
    fn finds_the_first_pair_as_a_byte_by_byte_search_does() {
        let test = |a: u8, b: u8| (a == b'<') & ((b | 0x20 == b's') | (b == b'!'));
        let mut rng = Rng::new(0x9e37_79b9_7f4a_7c15);
        let alphabet = b"<s!S<xa:";
        for len in 0..300 {
            for _ in 0..20 {
                // Mostly plain bytes, with markers sprinkled at a random rate.
                let rate = 1 + rng.below(200);
                let hay: Vec<u8> = (0..len)
                    .map(|_| {
                        if rng.below(rate) == 0 {
                            alphabet[rng.below(alphabet.len())]
                        } else {
                            b'a' + rng.below(26) as u8
                        }
                    })
                    .collect();
                let from = rng.below(len + 2);
                let want = naive(&hay, from, test);
                assert_eq!(find(&hay, from, test), want, "{hay:?} from {from}");
                assert_eq!(find_blocks(&hay, from, test), want, "{hay:?} from {from}");
            }
        }
    }

    #[test]
    fn a_pair_split_by_the_end_or_the_start_is_no_pair() {
        let test = |a: u8, b: u8| (a == b'f') & (b == b':');
        let mut hay = vec![b'x'; 200];
        hay[199] = b'f';
        assert_eq!(find(&hay, 0, test), None);
        hay[0] = b':';
        assert_eq!(find(&hay, 0, test), None);
        hay[64] = b'f';
        hay[65] = b':';
        assert_eq!(find(&hay, 0, test), Some(64));
        assert_eq!(find(&hay, 65, test), None);
        assert_eq!(find(&hay, 500, test), None);
    }
}
