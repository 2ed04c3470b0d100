/// Problems reading a .safetensors file. Every message names the file (and the tensor when one
/// is involved) and says what to do next.
public enum SafeTensorsError: Error, CustomStringConvertible, Equatable {
    case unreadable(file: String, reason: String)
    case tooSmall(file: String, size: Int)
    case badHeaderLength(file: String, headerLength: UInt64, fileSize: Int)
    case invalidJSON(file: String, reason: String)
    case invalidEntry(file: String, tensor: String, reason: String)
    case unknownDType(file: String, tensor: String, dtype: String)
    case outOfBounds(file: String, tensor: String, begin: Int, end: Int, dataSize: Int)
    case sizeMismatch(file: String, tensor: String, shape: [Int], dtype: String, bytes: Int)
    case overlap(file: String, tensor: String, other: String)
    case missingTensor(file: String, tensor: String)
    case unsupportedDType(file: String, tensor: String, dtype: String)

    public var description: String {
        let redownload = "the file is damaged or not a safetensors checkpoint; download it again"
        switch self {
        case .unreadable(let f, let r): return "\(f): cannot read safetensors file (\(r))"
        case .tooSmall(let f, let s): return "\(f): \(s) bytes is too small for a safetensors file (truncated?); \(redownload)"
        case .badHeaderLength(let f, let h, let s):
            return "\(f): header length \(h) does not fit in the file of \(s) bytes (truncated?); \(redownload)"
        case .invalidJSON(let f, let r): return "\(f): safetensors header is not valid JSON (\(r)); \(redownload)"
        case .invalidEntry(let f, let t, let r): return "\(f): tensor \(t): invalid header entry (\(r)); \(redownload)"
        case .unknownDType(let f, let t, let d): return "\(f): tensor \(t) has unknown dtype \(d); \(redownload)"
        case .outOfBounds(let f, let t, let b, let e, let s):
            return "\(f): tensor \(t) spans bytes \(b)..<\(e) but the data section holds \(s) bytes (truncated?); \(redownload)"
        case .sizeMismatch(let f, let t, let shape, let d, let b):
            return "\(f): tensor \(t) is \(d) \(shape) but occupies \(b) bytes; \(redownload)"
        case .overlap(let f, let t, let o): return "\(f): tensors \(t) and \(o) overlap; \(redownload)"
        case .missingTensor(let f, let t): return "\(f): tensor \(t) is missing (is this the right checkpoint?)"
        case .unsupportedDType(let f, let t, let d):
            return "\(f): tensor \(t) has dtype \(d); loupe reads F32, F16 and BF16 weights only"
        }
    }
}
