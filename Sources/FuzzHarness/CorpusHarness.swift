import Corpus
import Foundation

/// The input is a corpus file after two control bytes: the first picks the format (lines, JSON Lines, CSV,
/// TSV, standard input's detection) and whether a `--field` is given, the second how the bytes are cut
/// into pieces. Reading either fails with a `CorpusError` or gives trimmed, non-empty documents numbered
/// from 0; and where the pieces end never changes the outcome (the same documents, or the same error).
struct CorpusHarness: Harness {
    func run(_ input: [UInt8]) throws {
        guard input.count >= 2 else { return }
        let formats = CorpusFormat.allCases
        let format = formats[Int(input[0]) % formats.count]
        let field: String? = input[0] & 0x80 != 0 ? "body" : nil
        let body = Data(input.dropFirst(2))
        let pieces = [1, 2, 3, 5, 7, 64, 4096].map { max(1, $0 + Int(input[1] % 4)) }
        let whole = outcome(CorpusReader(bytes: body, format: format, label: "fuzz", field: field))
        let cut = outcome(CorpusReader(bytes: body, format: format, label: "fuzz", field: field,
                                       pieceSizes: Array(pieces.shuffledDeterministically(by: input[1]))))
        try require(whole == cut, "pieces changed the result:\n  whole: \(whole)\n  in pieces: \(cut)")
        if case .documents(let documents, _) = whole {
            for (i, d) in documents.enumerated() {
                try require(d.index == i, "document \(i) numbered \(d.index)")
                try require(!d.text.isEmpty && d.text == d.text.trimmingCharacters(in: .whitespacesAndNewlines),
                            "document \(i) is empty or untrimmed: \(d.text.debugDescription)")
            }
        }
    }

    enum Outcome: Equatable {
        case documents([Document], repaired: Int)
        case error(String)
    }

    /// Documents read in blocks of 3 (so block boundaries are crossed too).
    private func outcome(_ reader: CorpusReader) -> Outcome {
        var documents: [Document] = []
        do {
            while true {
                let block = try reader.next(limit: 3)
                if block.isEmpty { break }
                documents += block
            }
        } catch let error as CorpusError {
            return .error("\(error)")
        } catch {
            return .error("unexpected error type \(type(of: error)): \(error)")
        }
        return .documents(documents, repaired: reader.repairedSequences)
    }
}

private extension Array {
    /// A fixed permutation chosen by `seed` (rotation), so a fuzz input always replays the same way.
    func shuffledDeterministically(by seed: UInt8) -> [Element] {
        guard !isEmpty else { return self }
        let k = Int(seed) % count
        return Array(self[k...] + self[..<k])
    }
}
