import Foundation
import GRDB

/// The remote models whose vectors this cache holds, so that one model reached through different URLs
/// (or on another day) finds its vectors again while a different model behind the same URL does not.
///
/// A remote model is recognised by a signature (its reported id, dimension and how tasks reach it) and
/// by the vector it gives for a fixed probe text: two probes of the same model agree to rounding, two
/// models do not. The first probe seen under a signature is kept with a new identity; a later probe
/// that `accept`s one kept under the same signature gets that identity back. Lookup and insert are one
/// transaction, so two processes meeting a new model at once agree on its identity.
extension EmbeddingCache {
    public func remoteModelIdentity(signature: String, probe: [Float], accept: ([Float]) -> Bool,
                                    newIdentity: () -> String) throws -> String {
        var identity = ""
        do {
            try db.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    try db.execute(sql: """
                        CREATE TABLE IF NOT EXISTS remote_models (
                            identity TEXT PRIMARY KEY,  -- the fingerprint the cache keys of its vectors use
                            signature TEXT NOT NULL,    -- model id, dimension, task mode
                            probe BLOB NOT NULL)        -- the probe text's vector, little-endian float32
                        """)
                    let rows = try Row.fetchAll(db, sql: "SELECT identity, probe FROM remote_models WHERE signature = ?",
                                                arguments: [signature])
                    if let known = rows.first(where: { accept(Self.floats($0["probe"])) }) {
                        identity = known["identity"]
                        return .commit
                    }
                    identity = newIdentity()
                    try db.execute(sql: "INSERT OR REPLACE INTO remote_models (identity, signature, probe) VALUES (?, ?, ?)",
                                   arguments: [identity, signature, Self.blob(probe)])
                    return .commit
                }
            }
        } catch let error as DatabaseError {
            throw CacheError.unavailable(path: url.path, reason: error.message ?? "\(error)")
        }
        return identity
    }
}
