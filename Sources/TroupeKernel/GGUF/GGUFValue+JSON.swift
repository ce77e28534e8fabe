import TroupeCore

extension GGUFValue {
    /// The value as JSON; arrays longer than `arrayLimit` become
    /// `{"type": "array", "element_type": …, "count": …}` so a 49k-entry
    /// vocabulary does not flood `troupe models info --json`.
    public func jsonValue(arrayLimit: Int = .max) -> JSONValue {
        switch self {
        case .bool(let v): return .bool(v)
        case .string(let v): return .string(v)
        case .float32(let v): return .number(Double(v))
        case .float64(let v): return .number(v)
        case .uint64(let v): return .number(Double(v))
        case .array(let type, let values):
            guard values.count <= arrayLimit else {
                return .object(["type": "array", "element_type": .string(type.description),
                                "count": .number(Double(values.count))])
            }
            return .array(values.map { $0.jsonValue(arrayLimit: arrayLimit) })
        default:
            return .number(Double(intValue ?? 0))
        }
    }
}
