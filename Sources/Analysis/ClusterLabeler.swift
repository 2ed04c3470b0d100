import Foundation

/// Short cluster labels from each cluster's most distinctive words.
///
/// Words are lower-cased runs of letters and digits (Unicode-aware, so accents, Cyrillic, Greek,
/// Arabic… work); scripts written without spaces (Han, Hiragana, Katakana) contribute character
/// bigrams instead. Stop words of the common European languages, pure numbers and one-letter words
/// are dropped. Each word is counted once per document. A word's score in cluster c is
///
///     p_in · ln((p_in + 0.01) / (p_out + 0.01))
///
/// where p_in is the fraction of c's documents containing it and p_out the fraction of the other
/// documents: frequent inside, rare outside. Clusters of 3 or more need a word in at least 2 of
/// their documents. The label is the top 3 words joined by ", " (ties alphabetical), or "" if none.
public enum ClusterLabeler {
    public static func labels(texts: [String], assignments: [Int], clusterCount k: Int, words: Int = 3) -> [String] {
        guard k > 0, texts.count == assignments.count else { return [] }
        var vocab = [String: Int]()
        var docTerms = [[Int]]()
        docTerms.reserveCapacity(texts.count)
        for t in texts {
            var ids = Set<Int>()
            for w in tokenize(t) {
                if let id = vocab[w] { ids.insert(id) } else { let id = vocab.count; vocab[w] = id; ids.insert(id) }
            }
            docTerms.append(Array(ids))
        }
        let terms = vocab.sorted { $0.value < $1.value }.map(\.key)
        var total = [Int](repeating: 0, count: terms.count)
        var inCluster = [[Int: Int]](repeating: [:], count: k)
        var sizes = [Int](repeating: 0, count: k)
        for (doc, ids) in docTerms.enumerated() {
            let c = assignments[doc]
            guard c >= 0, c < k else { continue }
            sizes[c] += 1
            for id in ids { total[id] += 1; inCluster[c][id, default: 0] += 1 }
        }
        let n = sizes.reduce(0, +)
        return (0..<k).map { c in
            guard sizes[c] > 0 else { return "" }
            let minDF = sizes[c] >= 3 ? 2 : 1
            let rest = max(n - sizes[c], 1)
            var scored: [(String, Double)] = []
            for (id, df) in inCluster[c] where df >= minDF {
                let pin = Double(df) / Double(sizes[c])
                let pout = Double(total[id] - df) / Double(rest)
                let s = pin * log((pin + 0.01) / (pout + 0.01))
                if s > 0 { scored.append((terms[id], s)) }
            }
            scored.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
            return scored.prefix(words).map(\.0).joined(separator: ", ")
        }
    }

    /// The label words of one text: lower-cased, stop words and numbers out, CJK as bigrams.
    public static func tokenize(_ text: String) -> [String] {
        var out = [String]()
        var word = ""
        var cjk = [Character]()
        func flushWord() {
            if word.count >= 2, !stopWords.contains(word), !word.allSatisfy(\.isNumber) { out.append(word) }
            word = ""
        }
        func flushCJK() {
            if cjk.count == 1 { out.append(String(cjk)) }
            for i in 0..<max(cjk.count - 1, 0) { out.append(String(cjk[i...i + 1])) }
            cjk = []
        }
        for ch in text.lowercased() {
            if isSpacelessScript(ch) { flushWord(); cjk.append(ch) }
            else if ch.isLetter || ch.isNumber || ch.unicodeScalars.allSatisfy({ $0.properties.generalCategory == .nonspacingMark }) {
                flushCJK(); word.append(ch)
            } else { flushWord(); flushCJK() }
        }
        flushWord(); flushCJK()
        return out
    }

    static func isSpacelessScript(_ ch: Character) -> Bool {
        guard let s = ch.unicodeScalars.first?.value else { return false }
        return (0x3040...0x30FF).contains(s)      // Hiragana, Katakana
            || (0x3400...0x4DBF).contains(s)      // CJK extension A
            || (0x4E00...0x9FFF).contains(s)      // CJK unified ideographs
            || (0xF900...0xFAFF).contains(s)      // CJK compatibility ideographs
    }

    static let stopWords: Set<String> = Set("""
    a an the and or but if then else of to in on at by for with from into onto about as is are was were be been \
    being am do does did doing have has had having it its it's this that these those there here what which who whom \
    whose when where why how all any both each few more most other some such no nor not only own same so than too \
    very can will just should would could may might must shall i me my we our you your he him his she her they them \
    until while before after during through between without within because since every one two three first new \
    make makes made use used using keep keeps put take takes let lets like well even much many way yours ours its \
    don doesn didn won isn aren wasn weren hasn haven hadn ll re ve \
    their us up down out over under again further once also get got via per vs etc i'm you're don't can't isn't \
    der die das und oder ist sind ein eine einer eines einem einen den dem des zu mit von auf für nicht im in es ich \
    du er sie wir ihr wie was wer auch als bei aus nach noch nur so dass oder le la les un une des et ou est sont du \
    de au aux en pour par avec sur dans ce cette ces qui que quoi ne pas plus il elle ils elles nous vous je tu on \
    el los las unos unas es son y o del al con por para que se su sus lo como más pero sin sobre il lo gli uno una \
    di da dei delle per non che è sono e o um uma os as do da dos das em no na nos nas com não por para que é het een \
    van en op te dat die zijn niet met voor ook als bij aan
    """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
}
