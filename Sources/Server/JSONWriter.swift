/// Appends JSON text to a byte buffer: faster than JSONEncoder for thousands of floats, and exact about
/// what goes out (floats in their shortest round-trip form, strings escaped per RFC 8259).
struct JSONWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    mutating func raw(_ s: String) { bytes.append(contentsOf: s.utf8) }

    mutating func int(_ n: Int) { raw(String(n)) }

    /// Non-finite values (never produced by the model) become null rather than invalid JSON.
    mutating func float(_ x: Float) {
        if x.isFinite { raw(x.description) } else { raw("null") }
    }

    mutating func floats(_ xs: [Float]) {
        bytes.append(UInt8(ascii: "["))
        for (i, x) in xs.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            float(x)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    mutating func ints<T: BinaryInteger>(_ xs: [T]) {
        bytes.append(UInt8(ascii: "["))
        for (i, x) in xs.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            raw(String(x))
        }
        bytes.append(UInt8(ascii: "]"))
    }

    mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: Array("\\u00".utf8) + [hex[Int(b >> 4)], hex[Int(b & 15)]])
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
