extension SaveAt: CustomStringConvertible {
    /// The policy as the call that builds it, with only the settings that differ from the defaults:
    /// `SaveAt(includesEnd: true, dense: true)`, `SaveAt(times: [0.0, 0.5, 1.0])` (long lists shortened).
    public var description: String {
        var parts: [String] = []
        if !times.isEmpty { parts.append("times: " + abbreviatedList(times)) }
        if includesStart { parts.append("includesStart: true") }
        if includesEnd { parts.append("includesEnd: true") }
        if everyStep { parts.append("everyStep: true") }
        if dense { parts.append("dense: true") }
        return "SaveAt(" + parts.joined(separator: ", ") + ")"
    }
}
