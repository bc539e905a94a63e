import Foundation

extension DoctorReport {
    /// A table for people: one row per check, then what to install.
    ///
    ///     TOOL                   NEEDED    STATUS   VERSION  INSTALL WITH
    ///     cmake                  required  ok       3.25.1
    ///     dtc                    required  missing           apt-get install device-tree-compiler
    public func renderTable() -> String {
        let header = ["TOOL", "NEEDED", "STATUS", "VERSION", "INSTALL WITH"]
        let rows = results.map { result -> [String] in
            let status: String
            switch result.status {
            case .found: status = "ok"
            case .missing: status = "missing"
            case .tooOld: status = "too old (need \(result.minimumVersion ?? "newer"))"
            }
            return [result.name, result.required ? "required" : "optional", status, result.version ?? "",
                    result.isOK ? "" : result.provider.installCommand]
        }
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        var lines = [line(header)] + rows.map(line)
        lines.append("")
        if isReady && missingOptional.isEmpty {
            lines.append("Everything sel4img needs is installed.")
        } else {
            if isReady {
                lines.append("Every required tool is installed; optional ones are missing.")
            } else {
                lines.append("Missing required tools: \(missingRequired.map(\.name).joined(separator: ", ")).")
            }
            lines.append("To install what is missing:")
            lines += installCommands.map { "  " + $0 }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Pretty-printed JSON with sorted keys (`sel4img doctor --json`).
    public func renderJSON() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}
