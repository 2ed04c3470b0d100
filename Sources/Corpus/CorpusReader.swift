import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads the documents of a corpus a block at a time, so memory holds one block and the line being read,
/// never a whole file: what `loupe index` streams through, and what `CorpusLoader.load` collects.
///
/// Inputs are read in order (see `CorpusLoader.load` for the formats); documents are numbered across all
/// of them. Paths are checked before the first read, so a missing file fails before any work is done.
public final class CorpusReader {
    /// One input: a file, a directory (each .txt / .md file a document), or bytes from a source.
    enum Input {
        case file(String)
        case directory(String)
        case bytes(() -> ByteSource, format: CorpusFormat, label: String)
    }

    /// The inputs, for messages ("stdin" for -).
    public let sources: [String]
    let field: String?
    /// Invalid UTF-8 sequences replaced with U+FFFD so far.
    public private(set) var repairedSequences = 0
    /// Bytes read so far, and the total size of the files given (standard input not counted).
    public private(set) var bytesRead: Int64 = 0
    public let totalBytes: Int64
    public private(set) var documentsRead = 0

    private var inputs: [Input]
    /// The input being read: its parser and source, or the files of a directory still to read.
    private var current: (parser: DocumentParser, source: ByteSource)?
    private var directoryFiles: [(source: String, url: URL)] = []
    private var ready: [Document] = []
    private var finished = false
    static let pieceSize = 1 << 20
    /// The largest document (line, CSV record, file of a directory) read; a larger one is an error.
    public static let maxDocumentBytes = 1 << 30

    static func describe(bytes: Int) -> String {
        bytes >= 1 << 30 ? "\(bytes >> 30) GB" : bytes >= 1 << 20 ? "\(bytes >> 20) MB" : "\(bytes) bytes"
    }

    /// `stdin` supplies standard input (the real one by default).
    public convenience init(paths: [String], field: String? = nil, stdin: (() -> Data)? = nil) throws {
        guard !paths.isEmpty else {
            throw CorpusError.empty("no corpus given; pass a .txt, .jsonl, .csv or .tsv file, a directory, or - for stdin")
        }
        var inputs: [Input] = []
        var total: Int64 = 0
        for path in paths {
            if path == "-" {
                let source: () -> ByteSource = stdin.map { read in { DataByteSource(read()) } }
                    ?? { FileByteSource(descriptor: STDIN_FILENO, path: "stdin", closeWhenDone: false) }
                inputs.append(.bytes(source, format: .detect, label: "stdin"))
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw CorpusError.unreadable(path: path, reason: "no such file or directory")
            }
            if isDirectory.boolValue {
                inputs.append(.directory(path))
            } else {
                inputs.append(.file(path))
                total += (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)??.int64Value ?? 0
            }
        }
        self.init(inputs: inputs, sources: paths.map { $0 == "-" ? "stdin" : $0 }, field: field, totalBytes: total)
    }

    /// One input already in memory, read as `format` in pieces of `pieceSizes` (cycled; empty = whole).
    public convenience init(bytes: Data, format: CorpusFormat, label: String, field: String? = nil, pieceSizes: [Int] = []) {
        self.init(inputs: [.bytes({ DataByteSource(bytes, pieceSizes: pieceSizes) }, format: format, label: label)],
                  sources: [label], field: field, totalBytes: Int64(bytes.count))
    }

    init(inputs: [Input], sources: [String], field: String?, totalBytes: Int64) {
        self.inputs = inputs; self.sources = sources; self.field = field; self.totalBytes = totalBytes
    }

    /// Up to `limit` next documents (fewer only at the end); empty when the corpus is done. Throws
    /// `CorpusError.empty` at the end when no input held a document.
    public func next(limit: Int) throws -> [Document] {
        let limit = max(1, limit)
        while ready.count < limit && !finished { try step() }
        let block = Array(ready.prefix(limit))
        ready.removeFirst(block.count)
        return block
    }

    /// Reads one piece of the current input, or opens the next input.
    private func step() throws {
        if var input = current {
            current = nil  // (the parser's buffers stay uniquely referenced while it runs)
            let piece = try input.source.read(max: Self.pieceSize)
            bytesRead += Int64(piece.count)
            if piece.isEmpty {
                try input.parser.finish(emit: add)
                repairedSequences += input.parser.repaired
            } else {
                try input.parser.feed(piece, emit: add)
                current = input
            }
            return
        }
        if !directoryFiles.isEmpty {
            let file = directoryFiles.removeFirst()
            let size = (try? FileManager.default.attributesOfItem(atPath: file.url.path)[.size] as? NSNumber)??.intValue ?? 0
            guard size <= Self.maxDocumentBytes else {
                throw CorpusError.unreadable(path: file.url.path, reason: "larger than \(Self.describe(bytes: Self.maxDocumentBytes)), "
                                             + "the largest document loupe reads (split the file)")
            }
            let bytes = try Self.readWhole(file.url.path)
            bytesRead += Int64(bytes.count)
            var body = bytes[...]
            if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
            repairedSequences += TextDecoding.invalidSequenceCount(body)
            add(TextDecoding.decode(body), source: file.source)
            return
        }
        guard !inputs.isEmpty else {
            finished = true
            if documentsRead == 0 {
                let what = sources.joined(separator: ", ")
                throw CorpusError.empty("no documents found in \(what) (a .txt file or stdin needs one document per non-empty line; "
                                        + "a directory needs .txt or .md files; .jsonl/.csv/.tsv need a non-empty '\(field ?? "text")' field)")
            }
            return
        }
        switch inputs.removeFirst() {
        case .file(let path):
            current = (DocumentParser(format: CorpusFormat.of(path: path), label: path, field: field), try FileByteSource(path: path))
        case .directory(let path):
            directoryFiles = try Self.listDirectory(path)
        case .bytes(let source, let format, let label):
            current = (DocumentParser(format: format, label: label, field: field), source())
        }
    }

    private func add(_ text: String, source: String) {
        let trimmed = TextDecoding.trimmed(text)
        guard !trimmed.isEmpty else { return }
        ready.append(Document(index: documentsRead, text: trimmed, source: source))
        documentsRead += 1
    }

    /// Every .txt / .md file under `path` (hidden ones skipped), sorted by relative path so the order does
    /// not depend on the file system.
    static func listDirectory(_ path: String) throws -> [(source: String, url: URL)] {
        let root = URL(fileURLWithPath: path)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey],
                                                          options: [.skipsHiddenFiles]) else {
            throw CorpusError.unreadable(path: path, reason: "cannot list the directory")
        }
        let rootPath = root.standardizedFileURL.path
        var files: [(relative: String, url: URL)] = []
        for case let url as URL in walker {
            let ext = url.pathExtension.lowercased()
            guard ext == "txt" || ext == "md" else { continue }
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            var relative = url.standardizedFileURL.path
            if relative.hasPrefix(rootPath + "/") { relative.removeFirst(rootPath.count + 1) }
            files.append((relative, url))
        }
        files.sort { $0.relative < $1.relative }
        let base = path.hasSuffix("/") ? String(path.dropLast()) : path
        return files.map { ("\(base)/\($0.relative)", $0.url) }
    }

    static func readWhole(_ path: String) throws -> [UInt8] {
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw CorpusError.unreadable(path: path, reason: (error as NSError).localizedFailureReason ?? error.localizedDescription)
        }
    }
}

/// Where a corpus input's bytes come from: `read` returns at most `max` bytes, empty at the end.
protocol ByteSource: AnyObject {
    func read(max: Int) throws -> [UInt8]
}

final class FileByteSource: ByteSource {
    private let fd: Int32
    private let path: String
    private let closeWhenDone: Bool

    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CorpusError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        self.fd = fd; self.path = path; closeWhenDone = true
    }

    init(descriptor: Int32, path: String, closeWhenDone: Bool) {
        fd = descriptor; self.path = path; self.closeWhenDone = closeWhenDone
    }

    deinit { if closeWhenDone { close(fd) } }

    func read(max: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: max)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, max) }
            if n >= 0 { buffer.removeSubrange(n...); return buffer }
            if errno != EINTR { throw CorpusError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        }
    }
}

/// Bytes already in memory, handed out in pieces of the given sizes (cycled): tests and the fuzz harness
/// use odd sizes to check that where the pieces end never changes the documents.
final class DataByteSource: ByteSource {
    private let bytes: [UInt8]
    private var offset = 0
    private let sizes: [Int]
    private var turn = 0

    init(_ data: Data, pieceSizes: [Int] = []) {
        bytes = [UInt8](data)
        sizes = pieceSizes.map { max(1, $0) }
    }

    func read(max: Int) throws -> [UInt8] {
        var n = Swift.min(max, bytes.count - offset)
        if !sizes.isEmpty { n = Swift.min(n, sizes[turn % sizes.count]); turn += 1 }
        defer { offset += n }
        return Array(bytes[offset..<(offset + n)])
    }
}
