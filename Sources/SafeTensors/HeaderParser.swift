import Foundation

extension SafeTensorsFile {
    struct Parsed {
        var tensors: [String: TensorInfo]
        var metadata: [String: String]
        var header: [UInt8]
        var dataStart: Int
    }

    /// Headers above this are refused before reading them (the real jina-v3 header is ~60 KB).
    static let maxHeaderLength: UInt64 = 100 << 20

    /// Validates and parses the header of a whole file image.
    static func parse(_ file: UnsafeRawBufferPointer, path: String) throws -> Parsed {
        guard file.count >= 8 else { throw SafeTensorsError.tooSmall(file: path, size: file.count) }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(file[i]) << (8 * UInt64(i)) }
        guard n >= 2, n <= maxHeaderLength, n <= UInt64(file.count - 8) else {
            throw SafeTensorsError.badHeaderLength(file: path, headerLength: n, fileSize: file.count)
        }
        let headerLen = Int(n)
        let header = Array(file[8..<(8 + headerLen)])
        let dataStart = 8 + headerLen
        let dataSize = file.count - dataStart

        let json: Any
        do { json = try JSONSerialization.jsonObject(with: Data(header)) } catch {
            throw SafeTensorsError.invalidJSON(file: path, reason: "\(error.localizedDescription)")
        }
        guard let top = json as? [String: Any] else {
            throw SafeTensorsError.invalidJSON(file: path, reason: "top level is not an object")
        }
        var tensors: [String: TensorInfo] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in top {
            if name == "__metadata__" {
                if let m = value as? [String: Any] {
                    for (k, v) in m { metadata[k] = v as? String ?? "\(v)" }
                }
                continue
            }
            tensors[name] = try entry(name, value, path: path, dataSize: dataSize)
        }
        try checkOverlaps(tensors, path: path)
        return Parsed(tensors: tensors, metadata: metadata, header: header, dataStart: dataStart)
    }

    private static func entry(_ name: String, _ value: Any, path: String, dataSize: Int) throws -> TensorInfo {
        func bad(_ why: String) -> SafeTensorsError { .invalidEntry(file: path, tensor: name, reason: why) }
        guard let obj = value as? [String: Any] else { throw bad("not an object") }
        guard let dtypeName = obj["dtype"] as? String else { throw bad("no dtype") }
        guard let dtype = DType(rawValue: dtypeName) else {
            throw SafeTensorsError.unknownDType(file: path, tensor: name, dtype: dtypeName)
        }
        guard let shapeAny = obj["shape"] as? [Any] else { throw bad("no shape") }
        var shape: [Int] = []
        for d in shapeAny {
            guard let num = d as? NSNumber, num.doubleValue >= 0, num.doubleValue < 1e15,
                  num.doubleValue == num.doubleValue.rounded() else { throw bad("shape \(shapeAny) is not a list of sizes") }
            shape.append(num.intValue)
        }
        guard let offs = obj["data_offsets"] as? [Any], offs.count == 2,
              let b = offs[0] as? NSNumber, let e = offs[1] as? NSNumber,
              b.doubleValue >= 0, e.doubleValue >= b.doubleValue, e.doubleValue < 1e15 else {
            throw bad("data_offsets must be [begin, end] with begin <= end")
        }
        let begin = b.intValue, end = e.intValue
        guard end <= dataSize else {
            throw SafeTensorsError.outOfBounds(file: path, tensor: name, begin: begin, end: end, dataSize: dataSize)
        }
        var count = 1
        for d in shape {
            let (p, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { throw bad("shape \(shape) overflows") }
            count = p
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow, bytes == end - begin else {
            throw SafeTensorsError.sizeMismatch(file: path, tensor: name, shape: shape, dtype: dtypeName, bytes: end - begin)
        }
        return TensorInfo(name: name, dtype: dtype, shape: shape, byteRange: begin..<end)
    }

    private static func checkOverlaps(_ tensors: [String: TensorInfo], path: String) throws {
        let sorted = tensors.values.filter { !$0.byteRange.isEmpty }
            .sorted { ($0.byteRange.lowerBound, $0.name) < ($1.byteRange.lowerBound, $1.name) }
        for (a, b) in zip(sorted, sorted.dropFirst()) where b.byteRange.lowerBound < a.byteRange.upperBound {
            throw SafeTensorsError.overlap(file: path, tensor: a.name, other: b.name)
        }
    }
}
