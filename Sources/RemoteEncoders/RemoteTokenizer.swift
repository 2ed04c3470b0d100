import EmbeddingEngine
import Foundation
import Tokenizers

/// Where a remote pool gets token ids and spans (for chunking, the server's token counts and `/tokenize`):
/// the model's own tokenizer here when the session has it (`--model DIR` given alongside, or a fetched
/// snapshot), else an endpoint's `/tokenize`, else words and punctuation as an approximation.
enum RemoteTokenizer: Sendable {
    case local(Tokenizer)
    case remote(EndpointTransport, batch: Int)
    case approximate

    var source: TokenSource {
        switch self {
        case .local: return .local
        case .remote(let t, _): return .remote(endpoint: t.address.name)
        case .approximate: return .approximate
        }
    }

    /// Per text, the encoding of `prefix + text` (not truncated).
    func encode(_ texts: [String], prefix: String, addSpecialTokens: Bool, timeout: Double) async throws -> [Encoding] {
        switch self {
        case .local(let tokenizer):
            return texts.map { tokenizer.encode(prefix + $0, addSpecialTokens: addSpecialTokens, options: TruncationPadding()) }
        case .approximate:
            return texts.map { Self.approximate(prefix + $0, addSpecialTokens: addSpecialTokens) }
        case .remote(let transport, let batch):
            var out: [Encoding] = []
            out.reserveCapacity(texts.count)
            for start in stride(from: 0, to: texts.count, by: max(1, batch)) {
                let group = texts[start..<min(texts.count, start + max(1, batch))].map { prefix + $0 }
                let body = jsonBytes(["inputs": group, "add_special_tokens": addSpecialTokens])
                let answer = try await transport.post("/tokenize", json: body, timeout: timeout)
                let lists = try EndpointKind.parseTokens(try transport.checked(answer), count: group.count)
                for (text, tokens) in zip(group, lists) { out.append(Self.encoding(text, tokens)) }
            }
            return out
        }
    }

    /// `/tokenize` tokens (UTF-8 byte offsets) as an Encoding (Unicode-scalar offsets too).
    static func encoding(_ text: String, _ tokens: [(id: Int32, text: String, special: Bool, bytes: Range<Int>?)]) -> Encoding {
        var scalarAt = [Int](repeating: 0, count: text.utf8.count + 1)  // UTF-8 offset → scalar index
        var byte = 0, scalar = 0
        for s in text.unicodeScalars {
            let n = String(s).utf8.count
            for k in 0..<n { scalarAt[byte + k] = scalar }
            byte += n; scalar += 1
            scalarAt[byte] = scalar
        }
        var e = Encoding()
        for t in tokens {
            e.ids.append(t.id)
            e.tokens.append(t.text)
            let bytes = t.bytes.map { min($0.lowerBound, byte)..<min($0.upperBound, byte) } ?? 0..<0
            e.byteOffsets.append(bytes)
            e.offsets.append(t.bytes == nil ? 0..<0 : scalarAt[bytes.lowerBound]..<scalarAt[bytes.upperBound])
            e.specialTokensMask.append(t.special ? 1 : 0)
            e.attentionMask.append(1)
        }
        return e
    }

    /// Words and punctuation as tokens (`WordSpans`), `<s>` and `</s>` around them.
    static func approximate(_ text: String, addSpecialTokens: Bool) -> Encoding {
        let spans = WordSpans.spans(text)
        let scalars = Array(text.unicodeScalars)
        var e = Encoding(ids: spans.map { _ in 3 }, tokens: spans.map { span in
            var v = String.UnicodeScalarView(); v.append(contentsOf: scalars[span]); return String(v)
        }, offsets: spans, byteOffsets: spans.map { _ in 0..<0 },
           specialTokensMask: spans.map { _ in 0 }, attentionMask: spans.map { _ in 1 })
        if addSpecialTokens {
            e.ids = [0] + e.ids + [2]; e.tokens = ["<s>"] + e.tokens + ["</s>"]
            e.offsets = [0..<0] + e.offsets + [0..<0]; e.byteOffsets = [0..<0] + e.byteOffsets + [0..<0]
            e.specialTokensMask = [1] + e.specialTokensMask + [1]; e.attentionMask += [1, 1]
        }
        return e
    }

    /// A cheap token estimate for batching and progress (no tokenizer run): about four UTF-8 bytes per
    /// token, which is close for English and conservative for scripts of three-byte characters.
    static func estimate(_ text: String, maxLength: Int) -> Int {
        min(max(1, maxLength), 2 + (text.utf8.count + 3) / 4)
    }
}
