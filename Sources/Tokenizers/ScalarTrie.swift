/// A trie over Unicode scalars, stored as one open-addressing hash table of edges
/// `(node, scalar) → child`. Built once at load (250k XLM-R pieces make ~500k nodes, a few
/// tens of milliseconds) and read concurrently without locks.
struct ScalarTrie: Sendable {
    private var keys: [UInt64]
    private var children: [Int32]
    private var mask: Int
    private var shift: UInt64
    private var edgeCount = 0
    /// Token id ending at each node, or -1.
    private(set) var values: [Int32]

    static let root: Int32 = 0
    private static let empty = UInt64.max

    init(expectedNodes: Int = 1024) {
        var cap = 1024
        while cap < expectedNodes * 2 { cap <<= 1 }
        keys = [UInt64](repeating: Self.empty, count: cap)
        children = [Int32](repeating: -1, count: cap)
        mask = cap - 1
        shift = UInt64(64 - cap.trailingZeroBitCount)
        values = [-1]
        values.reserveCapacity(expectedNodes)
    }

    var nodeCount: Int { values.count }

    @inline(__always) private static func key(_ node: Int32, _ scalar: UInt32) -> UInt64 {
        UInt64(UInt32(bitPattern: node)) << 21 | UInt64(scalar & 0x1F_FFFF)
    }

    @inline(__always) private func slot(_ k: UInt64) -> Int {
        Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Child of `node` along `scalar`, or -1.
    @inline(__always) func child(_ node: Int32, _ scalar: UInt32) -> Int32 {
        let k = Self.key(node, scalar)
        var i = slot(k)
        while true {
            let stored = keys[i]
            if stored == k { return children[i] }
            if stored == Self.empty { return -1 }
            i = (i + 1) & mask
        }
    }

    /// Inserts `key` with `value` (a later insert of the same key overwrites, like HF's maps).
    mutating func insert<S: Sequence>(_ key: S, value: Int32) where S.Element == UInt32 {
        var node = Self.root
        for c in key {
            let next = child(node, c)
            if next >= 0 { node = next; continue }
            let new = Int32(values.count)
            values.append(-1)
            addEdge(node, c, new)
            node = new
        }
        values[Int(node)] = value
    }

    private mutating func addEdge(_ node: Int32, _ scalar: UInt32, _ target: Int32) {
        if (edgeCount + 1) * 2 > keys.count { grow() }
        let k = Self.key(node, scalar)
        var i = slot(k)
        while keys[i] != Self.empty { i = (i + 1) & mask }
        keys[i] = k
        children[i] = target
        edgeCount += 1
    }

    private mutating func grow() {
        let oldKeys = keys, oldChildren = children
        keys = [UInt64](repeating: Self.empty, count: oldKeys.count * 2)
        children = [Int32](repeating: -1, count: oldKeys.count * 2)
        mask = keys.count - 1
        shift = UInt64(64 - keys.count.trailingZeroBitCount)
        for (i, k) in oldKeys.enumerated() where k != Self.empty {
            var j = slot(k)
            while keys[j] != Self.empty { j = (j + 1) & mask }
            keys[j] = k
            children[j] = oldChildren[i]
        }
    }

    /// Exact lookup of a whole key.
    func lookup<S: Sequence>(_ key: S) -> Int32? where S.Element == UInt32 {
        var node = Self.root
        for c in key {
            node = child(node, c)
            if node < 0 { return nil }
        }
        let v = values[Int(node)]
        return v >= 0 ? v : nil
    }
}
