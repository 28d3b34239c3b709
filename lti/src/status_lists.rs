//! Status lists on the server (`spec/badges.md` §7): drawing a credential's index at random
//! among the free ones of a list (herd privacy), and [`regenerate`], which re-signs a list's
//! `BitstringStatusListCredential` from the credentials' status columns after every
//! revocation or suspension and stores it for `/status/{id}`. The bits and the signature are
//! the core's (`cairn::credential::status`); this file only gathers the rows.

use std::collections::HashSet;

use crate::random::RandomUnavailable;

/// Random draws tried before a list is searched in order (only a nearly full list gets there).
const RANDOM_TRIES: usize = 64;

/// A uniform random number below `bound` (> 0), from the system CSPRNG.
pub fn random_below(bound: u64) -> Result<u64, RandomUnavailable> {
    // Rejection sampling: no modulo bias.
    let zone = u64::MAX - (u64::MAX % bound);
    for _ in 0..1024 {
        let mut bytes = [0u8; 8];
        aws_lc_rs::rand::fill(&mut bytes).map_err(|_| RandomUnavailable)?;
        let value = u64::from_le_bytes(bytes);
        if value < zone {
            return Ok(value % bound);
        }
    }
    Err(RandomUnavailable)
}

/// An index of a list of `size` entries that `taken` does not hold, drawn at random among the
/// free ones (`badges.md` §7: herd privacy); `None` when the list is full. `draw(n)` gives a
/// uniform number below `n` ([`random_below`] on the server, a seeded sequence in tests).
pub fn pick_free<D>(
    size: u64,
    taken: &HashSet<u64>,
    mut draw: D,
) -> Result<Option<u64>, RandomUnavailable>
where
    D: FnMut(u64) -> Result<u64, RandomUnavailable>,
{
    if size == 0 || taken.len() as u64 >= size {
        return Ok(None);
    }
    for _ in 0..RANDOM_TRIES {
        let index = draw(size)?;
        if !taken.contains(&index) {
            return Ok(Some(index));
        }
    }
    // Nearly full: the k-th free index for a random k is still uniform among the free ones.
    let free = size - taken.len() as u64;
    let k = draw(free)?;
    Ok((0..size).filter(|i| !taken.contains(i)).nth(k as usize))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_stay_below_the_bound() {
        for bound in [1, 2, 7, 131_072] {
            for _ in 0..50 {
                assert!(random_below(bound).expect("random") < bound);
            }
        }
    }

    #[test]
    fn picks_only_free_indexes_and_reports_a_full_list() {
        let taken: HashSet<u64> = [0, 1, 2].into_iter().collect();
        // A draw that always lands on a taken index forces the ordered search.
        let picked = pick_free(4, &taken, |n| Ok(if n == 4 { 1 } else { 0 })).expect("draw");
        assert_eq!(picked, Some(3));
        let full: HashSet<u64> = (0..4).collect();
        assert_eq!(pick_free(4, &full, random_below).expect("draw"), None);
        let empty = HashSet::new();
        let many: HashSet<u64> = (0..200)
            .map(|_| {
                pick_free(131_072, &empty, random_below)
                    .expect("draw")
                    .expect("free")
            })
            .collect();
        assert!(many.len() > 150, "indexes are spread: {}", many.len());
    }
}
