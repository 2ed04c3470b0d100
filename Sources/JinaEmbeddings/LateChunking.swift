import Foundation
import Numerics
import Tokenizers

extension EmbeddingModel {
    /// Late chunking: one pass over the whole document, then mean-pool the token states inside
    /// each chunk span (Unicode-scalar offsets into `text`), one normalized vector per chunk.
    /// A token belongs to the chunk in which it starts. Documents longer than the maximum
    /// length run in consecutive windows of max-length tokens, each framed by `<s>` … `</s>`.
    public func embedLateChunks(text: String, chunks: [Range<Int>], task: String?, applyPrefix: Bool = true,
                                shouldCancel: (() -> Bool)? = nil) throws -> [[Float]] {
        guard let tokenizer else {
            throw ModelError.invalidInput("model \(name) has no tokenizer.json; late chunking needs text")
        }
        let adapter = try adapterIndex(for: task)
        let prefix = applyPrefix ? instruction(for: task) : ""
        let shift = prefix.unicodeScalars.count
        let enc = tokenizer.encode(prefix + text, addSpecialTokens: true, maxLength: nil)
        return try chunkVectors(enc, textStart: shift, chunks: chunks, adapter: adapter, shouldCancel: shouldCancel)
    }

    /// One normalized vector per chunk of an encoding whose text starts at scalar `shift`
    /// (after the prefix). Tokens before `shift` (the prefix) and special tokens are never pooled.
    func chunkVectors(_ enc: Encoding, textStart shift: Int, chunks: [Range<Int>], adapter: Int?,
                      shouldCancel: (() -> Bool)?) throws -> [[Float]] {
        guard enc.count > 0 else { throw ModelError.invalidInput("the tokenizer produced no tokens") }
        let states = try windowedStates(enc, adapter: adapter, shouldCancel: shouldCancel)  // [count, D]
        let D = config.hiddenSize

        return chunks.map { span in
            func members(_ take: (Range<Int>) -> Bool) -> [Int] {
                enc.offsets.indices.filter { i in
                    let special = i < enc.specialTokensMask.count && enc.specialTokensMask[i] == 1
                    let o = enc.offsets[i]
                    return !special && o.lowerBound >= shift && take((o.lowerBound - shift)..<(o.upperBound - shift))
                }
            }
            var idx = members { span.contains($0.lowerBound) }
            if idx.isEmpty { idx = members { $0.overlaps(span) } }  // a span inside one token
            var v = [Float](repeating: 0, count: D)
            for i in idx { for j in 0..<D { v[j] += states[i * D + j] } }
            if !idx.isEmpty {
                let inv = 1 / Float(idx.count)
                for j in 0..<D { v[j] *= inv }
            }
            Kernels.l2Normalize(&v)
            return v
        }
    }

    /// Token states [enc.count, D] of a full encoding, in max-length windows when it is longer.
    func windowedStates(_ enc: Encoding, adapter: Int?, shouldCancel: (() -> Bool)?) throws -> [Float] {
        let n = enc.count, D = config.hiddenSize
        for (i, id) in enc.ids.enumerated() where id < 0 || Int(id) >= config.vocabSize {
            throw ModelError.invalidInput("token \(i) has id \(id) outside the vocabulary")
        }
        if n <= maxLength {
            return try forward(PackedBatch(ids: enc.ids, rows: [0..<n], adapters: [adapter]), shouldCancel: shouldCancel)
        }
        let hasFrame = n >= 2 && enc.specialTokensMask.first == 1 && enc.specialTokensMask.last == 1
        let bos = hasFrame ? [enc.ids[0]] : [], eos = hasFrame ? [enc.ids[n - 1]] : []
        let content = hasFrame ? 1..<(n - 1) : 0..<n
        let width = maxLength - bos.count - eos.count
        guard width > 0 else { throw ModelError.invalidInput("max length \(maxLength) leaves no room for text") }
        var states = [Float](repeating: 0, count: n * D)
        var start = content.lowerBound
        while start < content.upperBound {
            // Pack several windows per forward pass (each attends only to itself).
            var batch = PackedBatch(), placed: [(src: Int, dst: Int, count: Int)] = []
            while start < content.upperBound, batch.tokens + maxLength <= max(Self.tokenBudget, maxLength) {
                let end = min(start + width, content.upperBound)
                let s = batch.tokens
                batch.ids += bos + Array(enc.ids[start..<end]) + eos
                batch.rows.append(s..<batch.tokens)
                batch.adapters.append(adapter)
                placed.append((src: s + bos.count, dst: start, count: end - start))
                start = end
            }
            let out = try forward(batch, shouldCancel: shouldCancel)
            for p in placed {
                for t in 0..<p.count { for j in 0..<D { states[(p.dst + t) * D + j] = out[(p.src + t) * D + j] } }
            }
        }
        return states
    }
}
