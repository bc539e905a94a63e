import ArgumentParser
import Commands
import Testing

/// Help is wrapped by swift-argument-parser at the terminal's width, so the
/// sources hold prose as one line per paragraph; indented lines (examples,
/// list items) are verbatim and must come out whole at every width; a long
/// example continues on the next line after a shell backslash. Lines starting
/// with "- " are list items the parser wraps like prose.
@Suite struct HelpTextTests {
    /// Every command, depth first, with its name path.
    static func commands(_ type: any ParsableCommand.Type = SEL4Img.self, path: [String] = []) -> [(String, any ParsableCommand.Type)] {
        let name = type.configuration.commandName ?? String(describing: type).lowercased()
        let here = path + [name]
        return [(here.joined(separator: " "), type)] + type.configuration.subcommands.flatMap { commands($0, path: here) }
    }

    @Test("every indented line of every command's discussion appears unbroken at 80 and 120 columns", arguments: [80, 120])
    func examplesUnbroken(columns: Int) {
        var checked = 0
        for (name, type) in Self.commands() {
            let help = SEL4Img.helpMessage(for: type, columns: columns)
            let lines = Set(help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
            for line in type.configuration.discussion.split(separator: "\n").map(String.init) where line.hasPrefix(" ") {
                #expect(lines.contains(line), "\(name) at \(columns) columns breaks: \(line)")
                checked += 1
            }
        }
        #expect(checked > 40)
    }

    @Test("discussions are not wrapped by hand: a paragraph of prose is one line")
    func proseNotWrapped() {
        for (name, type) in Self.commands() {
            let lines = type.configuration.discussion.split(separator: "\n", omittingEmptySubsequences: false)
            for (a, b) in zip(lines, lines.dropFirst()) where !a.isEmpty && !b.isEmpty && !a.hasPrefix(" ") && !b.hasPrefix(" ")
            && !b.hasPrefix("- ") && !a.hasSuffix(":") {
                Issue.record("\(name): prose wrapped by hand: '\(a)' / '\(b)'")
            }
        }
    }
}
