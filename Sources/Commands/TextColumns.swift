/// Lines of text in aligned columns. Each column is as wide as its widest
/// cell, so no cell (a board, app or patch set name someone will copy) is
/// ever cut; the last column is not padded.
struct TextColumns {
    var rows: [[String]] = []
    /// Text between columns.
    var gap = " "
    /// Text before every line.
    var indent = ""

    init(indent: String = "", gap: String = " ", _ rows: [[String]] = []) {
        self.indent = indent
        self.gap = gap
        self.rows = rows
    }

    mutating func append(_ cells: String...) { rows.append(cells) }

    var lines: [String] {
        let count = rows.map(\.count).max() ?? 0
        let widths = (0..<count).map { column in
            rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
        }
        return rows.map { cells in
            let padded = cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell + String(repeating: " ", count: max(0, widths[index] - cell.count))
            }
            return indent + padded.joined(separator: gap)
        }
    }
}
