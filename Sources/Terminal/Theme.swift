import Foundation
import Explorer

/// A concrete look for a cell: colours as 256-colour indices (-1 = the terminal's default) and attributes.
public struct CellLook: Equatable, Sendable, Hashable {
    public var foreground: Int = -1
    public var background: Int = -1
    public var bold = false, dim = false, underline = false, reverse = false, italic = false
    public init(foreground: Int = -1, background: Int = -1, bold: Bool = false, dim: Bool = false,
                underline: Bool = false, reverse: Bool = false, italic: Bool = false) {
        self.foreground = foreground; self.background = background
        self.bold = bold; self.dim = dim; self.underline = underline; self.reverse = reverse; self.italic = italic
    }
}

public enum ThemeError: Error, CustomStringConvertible {
    case notFound(name: String, searched: [String], available: [String])
    case syntax(file: String, line: Int, reason: String)
    public var description: String {
        switch self {
        case .notFound(let n, let s, let a):
            return "theme '\(n)' not found (looked in \(s.joined(separator: ", ")))"
                + (a.isEmpty ? "" : "; available: \(a.joined(separator: ", "))")
        case .syntax(let f, let l, let r): return "\(f):\(l): \(r)"
        }
    }
}

/// Semantic colours → looks, read from `themes/NAME.theme`:
///
///     # comment
///     normal    = default on default
///     selection = 231 on 24 bold
///     heat      = on 17, on 18, on 19       # a gradient: comma-separated looks, low → high
///
/// A look is: [foreground] [on background] [attributes…]; colours are 0–255, `default`, or a name
/// (black red green yellow blue magenta cyan white, `bright-` variants); attributes are bold, dim,
/// underline, reverse, italic.
public struct Theme: Equatable, Sendable {
    public var name: String
    public var entries: [String: [CellLook]]
    public var usesColor: Bool

    public init(name: String, entries: [String: [CellLook]]) {
        self.name = name; self.entries = entries
        usesColor = entries.values.contains { $0.contains { $0.foreground >= 0 || $0.background >= 0 } }
    }

    /// The look of a semantic style (gradients pick by value; missing keys fall back to `normal`).
    public func look(_ style: SemanticStyle) -> CellLook {
        func one(_ key: String) -> CellLook { entries[key]?.first ?? entries["normal"]?.first ?? CellLook() }
        func gradient(_ key: String, _ t: Float) -> CellLook {
            guard let g = entries[key], !g.isEmpty else { return one("normal") }
            let f = t.isFinite ? min(1, max(0, t)) : 0
            return g[min(g.count - 1, Int(f * Float(g.count)))]
        }
        switch style {
        case .normal: return one("normal")
        case .dim: return one("dim")
        case .accent: return one("accent")
        case .title: return one("title")
        case .border: return one("border")
        case .error: return one("error")
        case .warning: return one("warning")
        case .success: return one("success")
        case .header: return one("header")
        case .footer: return one("footer")
        case .keyHint: return one("key")
        case .selection: return one("selection")
        case .cursor: return one("cursor")
        case .highlight: return one("highlight")
        case .input: return one("input")
        case .tab(let active): return one(active ? "tab.active" : "tab")
        case .score(let s): return gradient("score", s)
        case .heat(let v): return withReadableText(gradient("heat", v))
        case .diverging(let v): return withReadableText(gradient("diverging", (v + 1) / 2))
        case .cluster(let n):
            guard let g = entries["cluster"], !g.isEmpty else { return one("normal") }
            return g[((n % g.count) + g.count) % g.count]
        case .rankUp: return one("rank.up")
        case .rankDown: return one("rank.down")
        case .progress: return one("progress")
        }
    }

    /// Numbers on a coloured background: pick black or white text by the background's luminance.
    func withReadableText(_ look: CellLook) -> CellLook {
        guard look.background >= 0, look.foreground < 0 else { return look }
        var l = look
        l.foreground = Palette.luminance(look.background) > 0.5 ? 16 : 231
        return l
    }

    // MARK: Parsing

    public static func parse(_ text: String, name: String, file: String = "<theme>") throws -> Theme {
        var entries: [String: [CellLook]] = [:]
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else {
                throw ThemeError.syntax(file: file, line: n + 1, reason: "expected `name = look`, got `\(line)`")
            }
            entries[parts[0]] = try parts[1].split(separator: ",").map {
                try parseLook(String($0), file: file, line: n + 1)
            }
        }
        return Theme(name: name, entries: entries)
    }

    static func parseLook(_ text: String, file: String, line: Int) throws -> CellLook {
        var look = CellLook()
        var words = text.split(separator: " ").map(String.init)[...]
        var sawForeground = false
        while let w = words.popFirst() {
            switch w.lowercased() {
            case "bold": look.bold = true
            case "dim": look.dim = true
            case "underline": look.underline = true
            case "reverse": look.reverse = true
            case "italic": look.italic = true
            case "normal", "none": break
            case "on":
                guard let c = words.popFirst(), let v = Palette.color(c) else {
                    throw ThemeError.syntax(file: file, line: line, reason: "`on` needs a colour (0–255, default or a name)")
                }
                look.background = v
            default:
                guard !sawForeground, let v = Palette.color(w) else {
                    throw ThemeError.syntax(file: file, line: line, reason: "unknown colour or attribute `\(w)`")
                }
                look.foreground = v; sawForeground = true
            }
        }
        return look
    }
}

/// The xterm 256-colour palette: names and luminance.
public enum Palette {
    static let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    public static func color(_ word: String) -> Int? {
        let w = word.lowercased()
        if w == "default" { return -1 }
        if let n = Int(w), (0...255).contains(n) { return n }
        if let i = names.firstIndex(of: w) { return i }
        if w.hasPrefix("bright-"), let i = names.firstIndex(of: String(w.dropFirst(7))) { return i + 8 }
        return nil
    }

    /// Relative luminance (0…1) of an xterm colour index.
    public static func luminance(_ index: Int) -> Double {
        let (r, g, b) = rgb(index)
        return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255
    }

    static func rgb(_ i: Int) -> (Double, Double, Double) {
        switch i {
        case 0..<16:
            let base: [(Double, Double, Double)] = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238),
                (205, 0, 205), (0, 205, 205), (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0),
                (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255)]
            return base[i]
        case 16..<232:
            let n = i - 16
            let level = { (v: Int) -> Double in v == 0 ? 0 : Double(55 + v * 40) }
            return (level(n / 36), level((n / 6) % 6), level(n % 6))
        case 232..<256:
            let v = Double(8 + (i - 232) * 10)
            return (v, v, v)
        default: return (0, 0, 0)
        }
    }
}
