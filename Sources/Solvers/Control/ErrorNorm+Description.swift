extension ErrorNorm: CustomStringConvertible {
    /// The norm as the member that builds it: `rms`, `maximum`, `rms(over: 0..<2)`, `maximum(over: 0..<2)`.
    public var description: String {
        let name: String
        switch kind {
        case .rms: name = "rms"
        case .maximum: name = "maximum"
        }
        if let groups { return "largest(.\(name), over: \(groups))" }
        guard let components else { return name }
        return "\(name)(over: \(components))"
    }
}
