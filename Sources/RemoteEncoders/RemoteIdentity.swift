import Foundation
import Hashing

/// The name remote vectors are cached under (the `fingerprint` of their cache keys).
///
/// The rule: a remote model is identified by what it does, not by where it is — its reported model id,
/// its dimension, how tasks reach it (adapters on the server, or only a prefix added here) and the vector
/// it gives for a fixed probe text. Probes that agree to `tolerance` are the same model computed the same
/// way (so the same model on two URLs shares the cache); a different model, or the same weights in
/// another precision, gives a different probe and a new identity (so a model swapped behind a URL never
/// serves stale vectors). Identities start with "remote-", local fingerprints are bare SHA-256 hex: a
/// remote vector is never taken for one the local model computed.
public enum RemoteIdentity {
    /// One model's probe on different machines and kernels agrees to about 1e-6; bf16 or fp16 arithmetic,
    /// or another model, differs by 1e-3 and more.
    public static let tolerance: Float = 1e-4

    /// The fixed text whose vector names the model.
    public static let probeText = "loupe probe: The quick brown fox jumps over the lazy dog. 0123456789"

    /// What must match exactly before probes are compared.
    public static func signature(_ d: EndpointDescription) -> String {
        "\(d.model)|\(d.hiddenSize)|tasks:\(d.taskMode.rawValue)|prefix:\(d.appliesPrefix ? "server" : "client")"
    }

    /// A fresh identity for a model seen for the first time: a hash of its signature and probe.
    public static func newIdentity(_ d: EndpointDescription) -> String {
        var sha = SHA256()
        sha.update(signature(d))
        for x in d.probe { withUnsafeBytes(of: x.bitPattern.littleEndian) { sha.update($0) } }
        return "remote-" + SHA256.hex(sha.finalize())
    }

    /// Largest componentwise difference (infinity when the sizes differ).
    public static func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        guard a.count == b.count else { return .infinity }
        var m: Float = 0
        for i in a.indices { m = max(m, abs(a[i] - b[i])) }
        return m
    }
}
