import Foundation

extension Theme {
    /// The theme used when none is named.
    public static let defaultName = "dark"

    /// Loads `NAME.theme` from the first directory that has it. `NO_COLOR` (any non-empty value,
    /// see no-color.org) forces the monochrome theme. When no themes directory is found, the
    /// built-in dark and mono themes still work.
    public static func load(name: String?, directories: [URL],
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Theme {
        // The named theme is checked even under NO_COLOR, so a typo is reported, not hidden.
        let requested = try find(name ?? defaultName, directories: directories)
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty, requested.name != "mono" {
            return try find("mono", directories: directories)
        }
        return requested
    }

    static func find(_ name: String, directories: [URL]) throws -> Theme {
        for dir in directories {
            let file = dir.appendingPathComponent("\(name).theme")
            if let text = try? String(contentsOf: file, encoding: .utf8) {
                return try parse(text, name: name, file: file.path)
            }
        }
        if let builtin = BuiltinThemes.text[name] { return try parse(builtin, name: name, file: "<built-in \(name)>") }
        let available = directories.flatMap { (try? FileManager.default.contentsOfDirectory(atPath: $0.path)) ?? [] }
            .filter { $0.hasSuffix(".theme") }.map { String($0.dropLast(6)) }
        throw ThemeError.notFound(name: name, searched: directories.map(\.path),
                                  available: Array(Set(available + BuiltinThemes.text.keys)).sorted())
    }
}

/// Copies of themes/dark.theme and themes/mono.theme, so an installed binary without the themes
/// folder still starts (a test checks they match the files).
public enum BuiltinThemes {
    public static let text: [String: String] = [
        "dark": """
        normal = default on default
        dim = 244
        accent = 81 bold
        title = 255 bold
        border = 240
        error = 203 bold
        warning = 221
        success = 114 bold
        header = 255 on 236 bold
        footer = 250 on 236
        key = 81 bold
        selection = 255 on 24 bold
        cursor = 16 on 220
        highlight = 16 on 186
        input = 255 on 235
        tab = 250 on 237
        tab.active = 16 on 81 bold
        progress = 81
        rank.up = 114 bold
        rank.down = 203
        score = 160, 166, 172, 178, 184, 148, 112, 76, 40
        heat = on 17, on 18, on 19, on 20, on 26, on 32, on 38, on 44, on 49, on 84, on 154, on 226
        diverging = on 25, on 32, on 74, on 117, on 153, on 239, on 224, on 217, on 210, on 203, on 160
        cluster = 81, 214, 114, 205, 227, 141, 209, 45, 156, 219
        """,
        "mono": """
        normal = normal
        dim = dim
        accent = bold
        title = bold
        border = dim
        error = bold underline
        warning = bold
        success = bold
        header = reverse bold
        footer = reverse
        key = bold
        selection = reverse
        cursor = reverse bold
        highlight = bold underline
        input = underline
        tab = normal
        tab.active = reverse bold
        progress = bold
        rank.up = bold
        rank.down = dim
        score = dim, normal, bold
        heat = dim, normal, bold, reverse, reverse bold
        diverging = reverse, underline, dim, normal, bold, reverse bold
        cluster = bold, normal, underline, dim, bold underline
        """,
    ]
}
