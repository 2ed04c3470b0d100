import Foundation
import GRDB

/// Persistent embedding cache (SQLite, WAL) under `${LOUPE_HOME:-~/.cache/loupe}`.
///
/// One row per vector: the SHA-256 key of (model fingerprint, task, prefix applied, max length, exact text
/// [, chunk spans]) plus the part number (the chunk of a late-chunked item, 0 otherwise), and the
/// full-dimension float32 vector (every Matryoshka dimension is a truncation of it). Writes are one
/// transaction per batch, so a killed process loses at most the batch in flight; WAL mode and a busy
/// timeout let several loupe processes share the file. A file that SQLite cannot read, or that fails
/// `PRAGMA quick_check`, is moved aside as `cache.sqlite.corrupt-<timestamp>` and a fresh cache is created.
public final class EmbeddingCache: @unchecked Sendable {
    public static let fileName = "cache.sqlite"
    public let url: URL
    /// Where warnings go (corrupt file moved aside, a failed write); stderr by default.
    public let log: @Sendable (String) -> Void
    let db: DatabaseQueue

    private init(url: URL, db: DatabaseQueue, log: @escaping @Sendable (String) -> Void) {
        self.url = url; self.db = db; self.log = log
    }

    public static func open(directory: URL) throws -> EmbeddingCache {
        try open(directory: directory, log: { message in
            FileHandle.standardError.write(Data(("loupe: " + message + "\n").utf8))
        })
    }

    public static func open(directory: URL, log: @escaping @Sendable (String) -> Void) throws -> EmbeddingCache {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw CacheError.unavailable(path: directory.path, reason: error.localizedDescription)
        }
        let url = directory.appendingPathComponent(fileName)
        do {
            return EmbeddingCache(url: url, db: try openChecked(url), log: log)
        } catch let problem as CacheError {
            guard case .corrupt(_, let reason) = problem else { throw problem }
            let aside = try moveAside(url)
            log("the embedding cache \(url.path) is damaged (\(reason)); moved it to \(aside.lastPathComponent) "
                + "and started a new one (embeddings will be computed again)")
            return EmbeddingCache(url: url, db: try openChecked(url), log: log)
        }
    }

    /// `${LOUPE_HOME:-~/.cache/loupe}`.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let h = environment["LOUPE_HOME"], !h.isEmpty { return URL(fileURLWithPath: h) }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/loupe")
    }

    /// Closes the database (later calls fail). Tests close before damaging the file.
    public func close() throws { try db.close() }

    // MARK: - Opening

    /// Files up to this size get a full `PRAGMA quick_check` on open.
    static let fullCheckLimit: Int64 = 256 << 20

    private static func openChecked(_ url: URL) throws -> DatabaseQueue {
        var config = Configuration()
        config.journalMode = .wal
        config.busyMode = .timeout(60)  // another loupe process may hold the write lock for a batch
        config.label = "loupe.cache"
        do {
            let queue = try DatabaseQueue(path: url.path, configuration: config)
            // quick_check reads every page (about 0.5 s per 500 MB when warm); above the threshold a count
            // over the key index catches a damaged header or index, and damage found later is reported
            // by the failing call (`loupe cache clear` then starts over).
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)??.int64Value ?? 0
            let verdict = try queue.read { db -> [String] in
                if size <= fullCheckLimit { return try String.fetchAll(db, sql: "PRAGMA quick_check") }
                let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
                if tables > 0 { _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM embeddings") }
                return ["ok"]
            }
            guard verdict == ["ok"] else {
                try? queue.close()
                throw CacheError.corrupt(path: url.path, reason: verdict.prefix(2).joined(separator: "; "))
            }
            try queue.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    try db.execute(sql: """
                        CREATE TABLE IF NOT EXISTS embeddings (
                            key BLOB NOT NULL,          -- SHA-256, see CacheKey
                            part INTEGER NOT NULL,      -- chunk number of a late-chunked item, else 0
                            model TEXT NOT NULL,        -- display name, for `cache stats`
                            fingerprint TEXT NOT NULL,  -- config.json + safetensors header hash
                            task TEXT NOT NULL,         -- '' = no task
                            dim INTEGER NOT NULL,
                            vector BLOB NOT NULL,       -- dim little-endian float32
                            PRIMARY KEY (key, part))
                        """)
                    return .commit
                }
            }
            return queue
        } catch let error as DatabaseError where [.SQLITE_CORRUPT, .SQLITE_NOTADB].contains(error.resultCode.primaryResultCode) {
            throw CacheError.corrupt(path: url.path, reason: error.message ?? "\(error.resultCode)")
        } catch let error as DatabaseError {
            throw CacheError.unavailable(path: url.path, reason: error.message ?? "\(error)")
        }
    }

    private static func moveAside(_ url: URL) throws -> URL {
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        let aside = URL(fileURLWithPath: url.path + ".corrupt-" + stamp)
        let fm = FileManager.default
        do {
            try fm.moveItem(at: url, to: aside)
        } catch {
            throw CacheError.unavailable(path: url.path, reason: "damaged and cannot be moved aside: \(error.localizedDescription)")
        }
        // The WAL and shared-memory files belong to the damaged database.
        for suffix in ["-wal", "-shm"] {
            let side = URL(fileURLWithPath: url.path + suffix)
            if fm.fileExists(atPath: side.path) { try? fm.moveItem(at: side, to: URL(fileURLWithPath: aside.path + suffix)) }
        }
        return aside
    }

    // MARK: - Reading and writing

    /// The vectors of every key found: all parts, in part order. A key with a missing part is left out
    /// (the caller embeds the whole item again).
    public func lookup(_ keys: [CacheKey], parts: [CacheKey: Int]) throws -> [CacheKey: [[Float]]] {
        var found: [CacheKey: [Int: [Float]]] = [:]
        let unique = Array(Set(keys))
        try wrap {
            try db.read { db in
                for start in stride(from: 0, to: unique.count, by: 500) {
                    let slice = unique[start..<min(start + 500, unique.count)]
                    let marks = Array(repeating: "?", count: slice.count).joined(separator: ",")
                    let rows = try Row.fetchCursor(db, sql: "SELECT key, part, vector FROM embeddings WHERE key IN (\(marks))",
                                                   arguments: StatementArguments(slice.map { Data($0.digest) }))
                    while let row = try rows.next() {
                        let key = CacheKey(digest: [UInt8](row["key"] as Data))
                        found[key, default: [:]][row["part"]] = Self.floats(row["vector"])
                    }
                }
            }
        }
        var result: [CacheKey: [[Float]]] = [:]
        for (key, byPart) in found {
            let count = parts[key] ?? 1
            let vectors = (0..<count).compactMap { byPart[$0] }
            if vectors.count == count { result[key] = vectors }
        }
        return result
    }

    /// Stores items (each all its parts) in one transaction. Replacing is idempotent, so two processes
    /// embedding the same text, or a rerun after a kill, never duplicate a row.
    public func store(_ entries: [(key: CacheKey, vectors: [[Float]])], model: String, fingerprint: String,
                      task: String?) throws {
        guard !entries.isEmpty else { return }
        try wrap {
            try db.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    let statement = try db.cachedStatement(sql: """
                        INSERT OR REPLACE INTO embeddings (key, part, model, fingerprint, task, dim, vector)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """)
                    for entry in entries {
                        for (part, vector) in entry.vectors.enumerated() {
                            try statement.execute(arguments: [Data(entry.key.digest), part, model, fingerprint,
                                                              task ?? "", vector.count, Self.blob(vector)])
                        }
                    }
                    return .commit
                }
            }
        }
    }

    public func stats() throws -> CacheStats {
        var groups: [CacheStats.Group] = []
        try wrap {
            try db.read { db in
                let rows = try Row.fetchAll(db, sql: """
                    SELECT model, fingerprint, task, dim, COUNT(*) AS n FROM embeddings
                    GROUP BY model, fingerprint, task, dim ORDER BY model, task
                    """)
                groups = rows.map { CacheStats.Group(model: $0["model"], fingerprint: $0["fingerprint"],
                                                     task: ($0["task"] as String).isEmpty ? nil : $0["task"],
                                                     dimension: $0["dim"], entries: $0["n"]) }
            }
        }
        let bytes = ["", "-wal"].reduce(Int64(0)) { total, suffix in
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path + suffix)[.size] as? NSNumber)??.int64Value
            return total + (size ?? 0)
        }
        return CacheStats(path: url.path, entries: groups.reduce(0) { $0 + $1.entries }, bytes: bytes, groups: groups)
    }

    /// Removes the cache files of `directory` outright (for a cache too damaged to clear).
    public static func remove(directory: URL) throws {
        for suffix in ["", "-wal", "-shm"] {
            let path = directory.appendingPathComponent(fileName).path + suffix
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        }
    }

    /// Deletes every entry and gives the space back to the file system.
    public func clear() throws {
        try wrap {
            try db.writeWithoutTransaction { db in
                try db.execute(sql: "DELETE FROM embeddings")
                try db.execute(sql: "VACUUM")
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        }
    }

    private func wrap(_ body: () throws -> Void) throws {
        do { try body() } catch let error as DatabaseError {
            throw CacheError.unavailable(path: url.path, reason: error.message ?? "\(error)")
        }
    }

    static func blob(_ v: [Float]) -> Data {
        v.withUnsafeBufferPointer { Data(buffer: $0) }  // little-endian on every platform loupe runs on
    }

    static func floats(_ data: Data) -> [Float] {
        let n = data.count / MemoryLayout<Float>.size
        return [Float](unsafeUninitializedCapacity: n) { buffer, count in
            _ = data.copyBytes(to: buffer)  // copies bytes; no alignment assumption on the blob
            count = n
        }
    }
}

public struct CacheStats: Sendable, Codable, Equatable {
    public struct Group: Sendable, Codable, Equatable {
        public var model: String
        public var fingerprint: String
        public var task: String?
        public var dimension: Int
        public var entries: Int
    }
    public var path: String
    public var entries: Int
    public var bytes: Int64
    public var groups: [Group]
}

public enum CacheError: Error, CustomStringConvertible {
    case corrupt(path: String, reason: String)
    case unavailable(path: String, reason: String)
    public var description: String {
        switch self {
        case .corrupt(let p, let r): return "the embedding cache \(p) is damaged: \(r)"
        case .unavailable(let p, let r):
            return "cannot use the embedding cache \(p): \(r) (set LOUPE_HOME to another directory, or run `loupe cache clear`)"
        }
    }
}
