//! [`Few`]: a short list of numbers kept inline, for an attempt's part scores and group
//! percents. Rubrics have a handful of parts: with a heap vector each scored attempt of a
//! rubric cost two allocations and two frees, a large share of the fold's work per event.

use std::ops::{Deref, DerefMut};

use crate::number::Number;

/// How many numbers fit inline; a longer list spills to the heap.
const INLINE: usize = 3;

/// A list of numbers, inline up to [`INLINE`] of them. Reads as a slice.
#[derive(Debug, Clone)]
pub(super) enum Few {
    /// `len` numbers at the start of `items`; the rest are zeros, never read.
    Inline { len: u8, items: [Number; INLINE] },
    /// More than fit inline.
    Heap(Vec<Number>),
}

impl Few {
    /// The empty list.
    pub(super) fn new() -> Self {
        Few::Inline {
            len: 0,
            items: [Number::zero(), Number::zero(), Number::zero()],
        }
    }

    /// Appends `n`, spilling to the heap past [`INLINE`].
    pub(super) fn push(&mut self, n: Number) {
        match self {
            Few::Inline { len, items } if usize::from(*len) < INLINE => {
                items[usize::from(*len)] = n;
                *len += 1;
            }
            Few::Inline { items, .. } => {
                let mut heap: Vec<Number> = Vec::with_capacity(INLINE * 2);
                heap.extend(items.iter_mut().map(std::mem::take));
                heap.push(n);
                *self = Few::Heap(heap);
            }
            Few::Heap(heap) => heap.push(n),
        }
    }
}

impl Default for Few {
    fn default() -> Self {
        Few::new()
    }
}

impl Deref for Few {
    type Target = [Number];

    fn deref(&self) -> &[Number] {
        match self {
            Few::Inline { len, items } => &items[..usize::from(*len)],
            Few::Heap(heap) => heap,
        }
    }
}

impl DerefMut for Few {
    fn deref_mut(&mut self) -> &mut [Number] {
        match self {
            Few::Inline { len, items } => &mut items[..usize::from(*len)],
            Few::Heap(heap) => heap,
        }
    }
}

/// Equal as lists: the unused inline slots do not count.
impl PartialEq for Few {
    fn eq(&self, other: &Few) -> bool {
        **self == **other
    }
}

impl FromIterator<Number> for Few {
    fn from_iter<I: IntoIterator<Item = Number>>(iter: I) -> Self {
        let mut few = Few::new();
        for n in iter {
            few.push(n);
        }
        few
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pushing and collecting read back as the same list as a vector, inline or spilled.
    #[test]
    fn reads_as_the_vector_it_was_built_from() {
        for n in 0..8i64 {
            let want: Vec<Number> = (0..n).map(|i| Number::ratio(i + 1, 3)).collect();
            let few: Few = want.iter().cloned().collect();
            assert_eq!(&*few, want.as_slice(), "{n} numbers");
            assert_eq!(matches!(few, Few::Heap(_)), n as usize > INLINE);
            let mut changed = few.clone();
            for x in changed.iter_mut() {
                *x = x.add(&Number::one());
            }
            assert_ne!(changed == few, n > 0, "a changed list differs");
        }
    }
}
