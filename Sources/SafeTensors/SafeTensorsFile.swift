import Foundation
import Numerics
#if canImport(Glibc)
import Glibc
#endif

/// Element types of the safetensors format.
public enum DType: String, Sendable, CaseIterable {
    case F64, F32, F16, BF16, I64, I32, I16, I8, U8, U16, U32, U64, BOOL
    case F8_E4M3, F8_E5M2

    public var byteSize: Int {
        switch self {
        case .F64, .I64, .U64: return 8
        case .F32, .I32, .U32: return 4
        case .F16, .BF16, .I16, .U16: return 2
        case .I8, .U8, .BOOL, .F8_E4M3, .F8_E5M2: return 1
        }
    }
}

/// One tensor's header entry. `byteRange` is relative to the start of the data section.
public struct TensorInfo: Sendable, Equatable {
    public var name: String
    public var dtype: DType
    public var shape: [Int]
    public var byteRange: Range<Int>
    public var elementCount: Int { shape.reduce(1, *) }
}

/// A .safetensors file: `u64 header length (LE) | JSON header | data`, memory-mapped (or held in
/// memory). The header is validated completely at open (lengths, offsets, sizes, overlaps), so
/// accessors only fail for a missing name or an unsupported dtype.
public final class SafeTensorsFile: @unchecked Sendable {
    public let path: String
    public let tensors: [String: TensorInfo]
    public let metadata: [String: String]
    /// The raw JSON header bytes (the model fingerprint hashes them).
    public let headerBytes: [UInt8]
    private let base: UnsafeMutableRawPointer?
    private let mappedSize: Int
    private let dataStart: Int
    /// The bytes were copied into an allocation (`init(bytes:)`), not mapped from a file.
    private let owned: Bool

    public init(url: URL) throws {
        path = url.path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw SafeTensorsError.unreadable(file: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SafeTensorsError.unreadable(file: path, reason: String(cString: strerror(errno))) }
        let size = Int(st.st_size)
        guard size >= 8 else { throw SafeTensorsError.tooSmall(file: path, size: size) }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw SafeTensorsError.unreadable(file: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        do {
            let parsed = try Self.parse(UnsafeRawBufferPointer(start: p, count: size), path: path)
            tensors = parsed.tensors; metadata = parsed.metadata; headerBytes = parsed.header
            dataStart = parsed.dataStart
        } catch {
            munmap(p, size)
            throw error
        }
        base = p
        mappedSize = size
        owned = false
    }

    /// A file image already in memory (copied; `path` names it in messages). The same checks as a file.
    public init(bytes: [UInt8], path: String) throws {
        self.path = path
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(1, bytes.count), alignment: 16)
        bytes.withUnsafeBytes { if let src = $0.baseAddress { p.copyMemory(from: src, byteCount: bytes.count) } }
        do {
            let parsed = try Self.parse(UnsafeRawBufferPointer(start: p, count: bytes.count), path: path)
            tensors = parsed.tensors; metadata = parsed.metadata; headerBytes = parsed.header
            dataStart = parsed.dataStart
        } catch {
            p.deallocate()
            throw error
        }
        base = p
        mappedSize = bytes.count
        owned = true
    }

    deinit {
        guard let base else { return }
        if owned { base.deallocate() } else { munmap(base, mappedSize) }
    }

    public var names: [String] { Array(tensors.keys) }

    public func info(_ name: String) throws -> TensorInfo {
        guard let t = tensors[name] else { throw SafeTensorsError.missingTensor(file: path, tensor: name) }
        return t
    }

    /// The tensor's raw bytes (valid while this file object lives).
    public func rawBytes(_ name: String) throws -> UnsafeRawBufferPointer {
        let t = try info(name)
        return UnsafeRawBufferPointer(start: base.map { $0 + dataStart + t.byteRange.lowerBound },
                                      count: t.byteRange.count)
    }

    /// Drops the mapped pages of a tensor that has been copied out, so loading a checkpoint does
    /// not hold the file's pages and the copies at the same time (peak RSS ≈ the weights once).
    /// The mapping stays valid: pages are re-read from the file if touched again.
    public func releasePages(_ name: String) {
        // (Never on an allocation: MADV_DONTNEED would zero its pages.)
        guard !owned, let base, let t = tensors[name] else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let lo = (dataStart + t.byteRange.lowerBound + page - 1) / page * page
        let hi = (dataStart + t.byteRange.upperBound) / page * page
        if hi > lo { _ = madvise(base + lo, hi - lo, Int32(MADV_DONTNEED)) }
    }

    /// The tensor widened to Float (F32 copied, F16/BF16 widened exactly).
    public func floats(_ name: String) throws -> [Float] {
        let t = try info(name)
        let raw = try rawBytes(name)
        let n = t.elementCount
        var out = [Float](repeating: 0, count: n)
        switch t.dtype {
        case .F32:
            out.withUnsafeMutableBytes { dst in dst.copyMemory(from: raw) }
        case .BF16, .F16:
            let bits = Self.copy16(raw, count: n)
            bits.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    if t.dtype == .BF16 { HalfFloat.bf16ToF32(src.baseAddress!, dst.baseAddress!, count: n) }
                    else { HalfFloat.f16ToF32(src.baseAddress!, dst.baseAddress!, count: n) }
                }
            }
        default:
            throw SafeTensorsError.unsupportedDType(file: path, tensor: name, dtype: t.dtype.rawValue)
        }
        releasePages(name)
        return out
    }

    /// The 16-bit bit patterns of a BF16 or F16 tensor (kept in 16 bits to save memory).
    public func bits16(_ name: String) throws -> [UInt16] {
        let t = try info(name)
        guard t.dtype == .BF16 || t.dtype == .F16 else {
            throw SafeTensorsError.unsupportedDType(file: path, tensor: name, dtype: t.dtype.rawValue)
        }
        let bits = Self.copy16(try rawBytes(name), count: t.elementCount)
        releasePages(name)
        return bits
    }

    /// Copies (the data section need not be 2-byte aligned, so never bind the memory directly).
    private static func copy16(_ raw: UnsafeRawBufferPointer, count: Int) -> [UInt16] {
        var bits = [UInt16](repeating: 0, count: count)
        bits.withUnsafeMutableBytes { $0.copyMemory(from: raw) }
        return bits
    }
}
