import Foundation

/// The result of tokenizing one text (the HF `tokenizers` Encoding, the parts loupe needs).
public struct Encoding: Sendable, Equatable {
    public var ids: [Int32]
    public var tokens: [String]
    /// Span of each token in the original text, in Unicode scalars, end exclusive. Special tokens: 0..<0.
    public var offsets: [Range<Int>]
    /// The same spans in UTF-8 bytes.
    public var byteOffsets: [Range<Int>]
    /// 1 for special tokens added by post-processing (<s>, </s>, [CLS], [SEP], padding), else 0.
    public var specialTokensMask: [UInt8]
    /// 1 for real tokens, 0 for padding.
    public var attentionMask: [UInt8]

    public init(ids: [Int32] = [], tokens: [String] = [], offsets: [Range<Int>] = [],
                byteOffsets: [Range<Int>] = [], specialTokensMask: [UInt8] = [], attentionMask: [UInt8] = []) {
        self.ids = ids; self.tokens = tokens; self.offsets = offsets; self.byteOffsets = byteOffsets
        self.specialTokensMask = specialTokensMask; self.attentionMask = attentionMask
    }

    public var count: Int { ids.count }
}

/// Errors from loading a tokenizer.json. Messages name the component and what to do next.
public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case invalidJSON(path: String, reason: String)
    case unsupported(component: String, type: String)
    case invalidModel(String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "cannot read tokenizer \(path): \(reason)"
        case .invalidJSON(let path, let reason): return "tokenizer \(path) is not valid tokenizer.json: \(reason)"
        case .unsupported(let component, let type):
            return "tokenizer.json uses a \(component) of type \(type), which loupe does not support"
        case .invalidModel(let why): return "invalid tokenizer model: \(why)"
        }
    }
}

/// Padding/truncation options: the file's own (`tokenizer.json` `truncation` / `padding`) or the caller's.
public struct TruncationPadding: Sendable, Equatable {
    public var maxLength: Int?
    /// Pad to this fixed length (Fixed padding) with `padID`.
    public var padToLength: Int?
    public init(maxLength: Int? = nil, padToLength: Int? = nil) {
        self.maxLength = maxLength; self.padToLength = padToLength
    }
}

/// A loaded tokenizer.json (Unigram/XLM-R or WordPiece/BERT pipeline).
/// Thread-safe: encoding does not mutate shared state.
public final class Tokenizer: Sendable {
    // Implementation lives in the pipeline files; this is the public surface other modules use.
    let pipeline: TokenizerPipeline

    init(pipeline: TokenizerPipeline) { self.pipeline = pipeline }

    /// Loads `tokenizer.json` from a file.
    public convenience init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TokenizerError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        try self.init(data: data, path: url.path)
    }

    /// Loads a tokenizer.json from memory (`path` is used in error messages only).
    public convenience init(data: Data, path: String = "<memory>") throws {
        self.init(pipeline: try TokenizerPipeline(data: data, path: path))
    }

    /// Tokenizes `text`. `maxLength` truncates (keeping the special tokens) to at most that many ids;
    /// like HF, a `maxLength` smaller than the special tokens alone does not truncate at all.
    public func encode(_ text: String, addSpecialTokens: Bool = true, maxLength: Int? = nil) -> Encoding {
        pipeline.encode(text, addSpecialTokens: addSpecialTokens,
                        options: TruncationPadding(maxLength: maxLength))
    }

    /// Tokenizes with explicit truncation/padding options.
    public func encode(_ text: String, addSpecialTokens: Bool, options: TruncationPadding) -> Encoding {
        pipeline.encode(text, addSpecialTokens: addSpecialTokens, options: options)
    }

    /// The normalizer alone applied to the whole text (HF `normalizer.normalize_str`).
    public func normalize(_ text: String) -> String { pipeline.normalize(text) }

    /// The truncation/padding settings written in the tokenizer.json itself (MiniLM has 128/Fixed 128).
    public var fileDefaults: TruncationPadding { pipeline.fileDefaults }

    public var vocabularySize: Int { pipeline.vocabularySize }
    public func id(forToken token: String) -> Int32? { pipeline.id(forToken: token) }
    public func token(forID id: Int32) -> String? { pipeline.token(forID: id) }
    /// Id used for padding (`<pad>` = 1 for XLM-R, `[PAD]` = 0 for BERT).
    public var padID: Int32 { pipeline.padID }
}
