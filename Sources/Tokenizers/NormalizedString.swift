/// Span of the original text (Unicode scalar indices, end exclusive) that one normalized scalar
/// came from.
struct Span: Equatable, Sendable {
    var start: Int32
    var end: Int32
}

/// HF `NormalizedString`, in Unicode scalars: the current normalized text and, for each of its
/// scalars, the span of the original text it aligns to. HF stores one alignment per UTF-8 byte,
/// but every byte of a char always carries the char's alignment, so one per scalar is equivalent.
/// Spans are global (indices into the whole input), so slices need no shift bookkeeping.
struct NormalizedString {
    var scalars: [UInt32]
    var spans: [Span]
    /// Where an insertion at position 0 aligns (HF uses (0,0) relative to the slice).
    var origin: Int32

    /// A fresh, un-normalized segment `original[range]`.
    init(original: [UInt32], range: Range<Int>) {
        scalars = Array(original[range])
        spans = range.map { Span(start: Int32($0), end: Int32($0 + 1)) }
        origin = Int32(range.lowerBound)
    }

    init(scalars: [UInt32], spans: [Span], origin: Int32) {
        self.scalars = scalars; self.spans = spans; self.origin = origin
    }

    var isEmpty: Bool { scalars.isEmpty }
    var count: Int { scalars.count }

    var string: String { stringFromScalars(scalars[...]) }

    /// HF `transform`: `dest` yields each new scalar with a change: 0 = replaces the next old
    /// scalar (taking its alignment), +1 = inserted (taking the alignment of the old scalar
    /// just before the current position), -N = replaces the next old scalar and removes N more.
    /// `initialOffset` old scalars are dropped first.
    mutating func transform(_ dest: [(UInt32, Int)], initialOffset: Int = 0) {
        var newScalars = [UInt32]()
        var newSpans = [Span]()
        newScalars.reserveCapacity(dest.count)
        newSpans.reserveCapacity(dest.count)
        let old = spans
        let n = old.count
        var offset = initialOffset
        for (c, change) in dest {
            let align: Span
            if change > 0 {
                align = offset < 1 ? Span(start: origin, end: origin) : old[min(offset, n) - 1]
            } else {
                // HF indexes past the end only on malformed transforms; clamp instead of crashing.
                align = offset < n ? old[offset] : (n > 0 ? old[n - 1] : Span(start: origin, end: origin))
                offset += 1
                if change < 0 { offset += -change }
            }
            newScalars.append(c)
            newSpans.append(align)
        }
        scalars = newScalars
        spans = newSpans
    }

    /// HF `filter`: keeps the scalars for which `keep` is true; kept scalars keep their alignment.
    mutating func filter(_ keep: (UInt32) -> Bool) {
        var i = 0
        var w = 0
        while i < scalars.count {
            if keep(scalars[i]) {
                scalars[w] = scalars[i]; spans[w] = spans[i]; w += 1
            }
            i += 1
        }
        scalars.removeSubrange(w...)
        spans.removeSubrange(w...)
    }

    /// HF `map` (one scalar for one scalar, alignments unchanged).
    mutating func map(_ f: (UInt32) -> UInt32) {
        for i in scalars.indices { scalars[i] = f(scalars[i]) }
    }

    /// HF `prepend`: the first new scalar takes the alignment of the old first scalar, which keeps
    /// it too (so `▁Hello` spans just `Hello`). Does nothing on an empty string.
    mutating func prepend(_ c: UInt32) {
        guard let first = spans.first else { return }
        scalars.insert(c, at: 0)
        spans.insert(first, at: 0)
    }

    /// Original span covered by normalized scalars `range` (HF `convert_offsets` Normalized →
    /// Original: first alignment's start, last alignment's end).
    func originalSpan(_ range: Range<Int>) -> Range<Int> {
        if range.isEmpty { return Int(origin)..<Int(origin) }
        let s = Int(spans[range.lowerBound].start)
        let e = Int(spans[range.upperBound - 1].end)
        return s..<max(s, e)
    }
}

/// Builds a String from Unicode scalar values (invalid values become U+FFFD).
func stringFromScalars(_ scalars: ArraySlice<UInt32>) -> String {
    var view = String.UnicodeScalarView()
    for v in scalars { view.append(Unicode.Scalar(v) ?? "\u{FFFD}") }
    return String(view)
}

/// Unicode scalar values of a String.
func scalarsOf(_ s: String) -> [UInt32] {
    var out = [UInt32]()
    out.reserveCapacity(s.utf8.count)
    for u in s.unicodeScalars { out.append(u.value) }
    return out
}

/// UTF-8 byte length of one scalar.
@inline(__always) func utf8Length(_ v: UInt32) -> Int {
    v < 0x80 ? 1 : v < 0x800 ? 2 : v < 0x10000 ? 3 : 4
}

/// Appends the UTF-8 encoding of one scalar.
@inline(__always) func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
    if v < 0x80 {
        out.append(UInt8(v))
    } else if v < 0x800 {
        out.append(UInt8(0xC0 | (v >> 6))); out.append(UInt8(0x80 | (v & 0x3F)))
    } else if v < 0x10000 {
        out.append(UInt8(0xE0 | (v >> 12))); out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
        out.append(UInt8(0x80 | (v & 0x3F)))
    } else {
        out.append(UInt8(0xF0 | (v >> 18))); out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
        out.append(UInt8(0x80 | ((v >> 6) & 0x3F))); out.append(UInt8(0x80 | (v & 0x3F)))
    }
}
