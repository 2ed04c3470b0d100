import Foundation
import SafeTensors

/// The input is a whole .safetensors file image. Whatever the header says, opening either fails with a
/// `SafeTensorsError` or gives tensors whose bytes lie inside the data section and match their shape; every
/// float tensor then reads back with one value per element.
struct SafeTensorsHarness: Harness {
    func run(_ input: [UInt8]) throws {
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(bytes: input, path: "fuzz.safetensors") } catch is SafeTensorsError { return }
        let headerLength = 8 + file.headerBytes.count
        let dataSize = input.count - headerLength
        for name in file.names.sorted() {
            let t = try file.info(name)
            try require(t.byteRange.lowerBound >= 0 && t.byteRange.upperBound <= dataSize,
                        "\(name) spans \(t.byteRange) outside the \(dataSize)-byte data section")
            try require(t.elementCount * t.dtype.byteSize == t.byteRange.count,
                        "\(name): \(t.shape) × \(t.dtype.byteSize) bytes ≠ \(t.byteRange.count)")
            let raw = try file.rawBytes(name)
            try require(raw.count == t.byteRange.count, "\(name): rawBytes returned \(raw.count) bytes")
            switch t.dtype {
            case .F32, .F16, .BF16:
                let values = try file.floats(name)
                try require(values.count == t.elementCount, "\(name): \(values.count) floats for \(t.elementCount) elements")
                if t.dtype != .F32 {
                    let bits = try file.bits16(name)
                    try require(bits.count == t.elementCount, "\(name): \(bits.count) 16-bit values for \(t.elementCount) elements")
                }
            default:
                do { _ = try file.floats(name); throw HarnessFailure("\(name): \(t.dtype) read as floats") } catch is SafeTensorsError {}
            }
        }
    }
}
