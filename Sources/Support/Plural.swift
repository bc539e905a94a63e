/// "1 project", "2 projects": a count with its noun in the right number.
/// `plural` is for nouns that do not just take an "s" ("patches").
public func counted(_ count: Int, _ noun: String, plural: String? = nil) -> String {
    "\(count) \(count == 1 ? noun : plural ?? noun + "s")"
}
