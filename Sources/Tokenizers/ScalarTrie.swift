/// A trie over Unicode scalars, stored as one open-addressing hash table of edges
/// `(node, scalar) → child`, each edge packed in one UInt64 (node 21 bits, scalar 21 bits,
/// child 21 bits) so a probe costs one cache miss. Built once at load (250k XLM-R pieces make
/// ~505k nodes) and read concurrently without locks.
struct ScalarTrie: Sendable {
    private var slots: [UInt64]
    private var mask: Int
    private var shift: UInt64
    private var edgeCount = 0
    /// Token id ending at each node, or -1.
    private(set) var values: [Int32]
    /// Children of the root for scalars below `rootDirect`, indexed directly: every encode
    /// position starts at the root, so this saves a hash probe per position.
    private var rootChildren: [Int32]
    private static let rootDirect: UInt32 = 0x30000

    static let root: Int32 = 0
    /// Node ids must fit the 21-bit fields of a packed edge.
    static let maxNodes = 1 << 21
    private static let empty = UInt64.max

    init(expectedNodes: Int = 1024) {
        var cap = 1024
        while cap < expectedNodes * 2 { cap <<= 1 }
        slots = [UInt64](repeating: Self.empty, count: cap)
        mask = cap - 1
        shift = UInt64(64 - cap.trailingZeroBitCount)
        values = [-1]
        values.reserveCapacity(expectedNodes)
        rootChildren = [Int32](repeating: -1, count: Int(Self.rootDirect))
    }

    var nodeCount: Int { values.count }

    /// (node, scalar) in the top 42 bits of an edge; the child id in the low 21.
    @inline(__always) private static func key(_ node: Int32, _ scalar: UInt32) -> UInt64 {
        (UInt64(UInt32(bitPattern: node)) << 42) | (UInt64(scalar & 0x1F_FFFF) << 21)
    }

    @inline(__always) private func slot(_ k: UInt64) -> Int {
        Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Child of `node` along `scalar`, or -1.
    @inline(__always) func child(_ node: Int32, _ scalar: UInt32) -> Int32 {
        if node == Self.root && scalar < Self.rootDirect { return rootChildren[Int(scalar)] }
        let k = Self.key(node, scalar)
        var i = slot(k)
        return slots.withUnsafeBufferPointer { s in
            while true {
                let e = s[i]
                if e == Self.empty { return -1 }
                if e & ~0x1F_FFFF == k { return Int32(truncatingIfNeeded: e & 0x1F_FFFF) }
                i = (i + 1) & mask
            }
        }
    }

    /// Builds the trie of `keys[i] → values[i]`. Keys are inserted in order of their first two
    /// scalars, so consecutive inserts walk shared, cache-warm prefixes; in vocabulary order every
    /// scalar of every piece probed a random slot, which made loading 250k pieces ~2x slower.
    static func build(keys: [String], values: [Int32]) throws -> ScalarTrie {
        var flat = [UInt32]()
        flat.reserveCapacity(keys.count * 8)
        var starts = [Int]()
        starts.reserveCapacity(keys.count + 1)
        for k in keys {
            starts.append(flat.count)
            for u in k.unicodeScalars { flat.append(u.value) }
        }
        starts.append(flat.count)
        // Sort key: scalars 0 and 1 (each + 1, 0 = absent; 21 bits each) above the index (22 bits).
        var order = [UInt64]()
        order.reserveCapacity(keys.count)
        let sortable = keys.count < 1 << 22
        for i in keys.indices {
            var key: UInt64 = 0
            if sortable {
                for d in 0..<2 {
                    let p = starts[i] + d
                    key = key << 21 | (p < starts[i + 1] ? UInt64(flat[p] & 0x1F_FFFF) + 1 : 0)
                }
            }
            order.append(key << 22 | UInt64(i))
        }
        if sortable { order.sort() }
        // ~1 node per 3 scalars of key text in real vocabularies; the table grows if needed.
        var trie = ScalarTrie(expectedNodes: flat.count / 3 + 1024)
        for packed in order {
            let i = sortable ? Int(packed & 0x3F_FFFF) : Int(packed)
            try trie.insert(flat[starts[i]..<starts[i + 1]], value: values[i])
        }
        return trie
    }

    /// Inserts `key` with `value`. A key inserted twice keeps the larger value: HF's maps keep
    /// the later vocabulary entry, and values are vocabulary indices or ids.
    /// Throws when the trie outgrows the packed node ids.
    mutating func insert<S: Sequence>(_ key: S, value: Int32) throws where S.Element == UInt32 {
        var node = Self.root
        var fresh = false  // below a node created by this insert there is nothing to look up
        for c in key {
            if !fresh {
                let next = child(node, c)
                if next >= 0 { node = next; continue }
                fresh = true
            }
            let new = Int32(values.count)
            guard values.count < Self.maxNodes else {
                throw TokenizerError.invalidModel("vocabulary too large: more than \(Self.maxNodes) trie nodes")
            }
            values.append(-1)
            addEdge(node, c, new)
            node = new
        }
        values[Int(node)] = max(values[Int(node)], value)
    }

    private mutating func addEdge(_ node: Int32, _ scalar: UInt32, _ target: Int32) {
        if node == Self.root && scalar < Self.rootDirect { rootChildren[Int(scalar)] = target; return }
        if (edgeCount + 1) * 2 > slots.count { grow() }
        let k = Self.key(node, scalar)
        var i = slot(k)
        while slots[i] != Self.empty { i = (i + 1) & mask }
        slots[i] = k | UInt64(UInt32(bitPattern: target))
        edgeCount += 1
    }

    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: Self.empty, count: old.count * 2)
        mask = slots.count - 1
        shift = UInt64(64 - slots.count.trailingZeroBitCount)
        for e in old where e != Self.empty {
            var j = slot(e & ~0x1F_FFFF)
            while slots[j] != Self.empty { j = (j + 1) & mask }
            slots[j] = e
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
