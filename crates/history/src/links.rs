//! A doubly linked list over fixed nodes with O(1) removal and re-insertion ("dancing links").

/// Marks the end of a list.
pub(crate) const NIL: usize = usize::MAX;

/// Nodes `1..=n` in order after a head sentinel `0`. A removed node keeps its neighbours, so it can be
/// put back in O(1) as long as nodes are put back in the reverse order of their removal, which a
/// depth-first search does naturally.
#[derive(Debug, Clone)]
pub(crate) struct Links {
    next: Vec<usize>,
    prev: Vec<usize>,
}

impl Links {
    /// The list `0 → 1 → … → n`.
    pub(crate) fn new(n: usize) -> Self {
        Links {
            next: (0..=n).map(|i| if i < n { i + 1 } else { NIL }).collect(),
            prev: (0..=n).map(|i| if i == 0 { NIL } else { i - 1 }).collect(),
        }
    }

    /// The first node still in the list, or `NIL`.
    pub(crate) fn first(&self) -> usize {
        self.next[0]
    }

    /// The node after `node`, or `NIL`. `node` must be in the list (or the head).
    pub(crate) fn next(&self, node: usize) -> usize {
        self.next[node]
    }

    /// Removes `node` (never the head).
    pub(crate) fn unlink(&mut self, node: usize) {
        let (p, n) = (self.prev[node], self.next[node]);
        self.next[p] = n;
        if n != NIL {
            self.prev[n] = p;
        }
    }

    /// Puts back a node removed by [`unlink`](Links::unlink).
    pub(crate) fn relink(&mut self, node: usize) {
        let (p, n) = (self.prev[node], self.next[node]);
        self.next[p] = node;
        if n != NIL {
            self.prev[n] = node;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(links: &Links) -> Vec<usize> {
        let mut out = Vec::new();
        let mut node = links.first();
        while node != NIL {
            out.push(node);
            node = links.next(node);
        }
        out
    }

    #[test]
    fn nodes_come_back_in_place_when_relinked_in_reverse_order() {
        let mut links = Links::new(4);
        links.unlink(2);
        links.unlink(3);
        links.unlink(4);
        assert_eq!(items(&links), vec![1]);
        links.relink(4);
        links.relink(3);
        links.relink(2);
        assert_eq!(items(&links), vec![1, 2, 3, 4]);
    }
}
