import Foundation

/// Reads a run's JSON config: the file's values on top of `TrainConfig`'s defaults, then
/// `--set a.b=value` overrides, then the checks in `ConfigValidation`.
public enum ConfigLoader {
    /// Loads, overrides and validates a config file.
    public static func load(path: String, overrides: [String] = []) throws(ConfigError) -> TrainConfig {
        let config = try read(path: path, overrides: overrides)
        try ConfigValidation.check(config)
        return config
    }

    /// Loads and overrides a config file without `ConfigValidation`: for a run whose model section
    /// is replaced (by its init_from's) before the checks that involve the model.
    public static func read(path: String, overrides: [String] = []) throws(ConfigError) -> TrainConfig {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigError(path, "config file not found; pass an existing file such as configs/gpt-small.json")
        }
        guard !isDirectory.boolValue else {
            throw ConfigError(path, "is a directory, not a config file; pass a JSON file such as configs/gpt-small.json")
        }
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw ConfigError(path, "cannot read the config file; check its permissions")
        }
        return try decode(bytes, source: path, overrides: overrides, validate: false)
    }

    /// Decodes config JSON bytes (named `source` in messages), applying overrides and, unless
    /// `validate` is false, validation.
    public static func decode(_ bytes: Data, source: String, overrides: [String] = [], validate: Bool = true) throws(ConfigError) -> TrainConfig {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: bytes)
        } catch {
            throw ConfigError(source, "malformed JSON (\(jsonErrorDetail(error))); fix the syntax, e.g. with `python3 -m json.tool \(source)`")
        }
        guard let user = parsed as? [String: Any] else {
            throw ConfigError(source, "the top level must be a JSON object such as {\"model\": {...}}")
        }
        if let twice = DuplicateKeys.first(in: bytes) {
            throw ConfigError(source, "`\(twice.path)` appears twice (\(twice.first) and \(twice.second)); JSON would keep only one, so remove the other")
        }
        var merged = defaultsObject()
        try overlay(user, onto: &merged, path: [], source: source)
        var config = try decodeMerged(merged, defaults: defaultsObject(), source: source)
        if !overrides.isEmpty {
            // The file decoded alone, so a value that fails now came from the command line: each
            // override is decoded in turn so that the message names it, not the file.
            for override in overrides {
                try apply(override: override, to: &merged)
                config = try decodeMerged(merged, defaults: defaultsObject(), source: "--set \(override)")
            }
        }
        if validate { try ConfigValidation.check(config) }
        return config
    }

    /// The config as canonical JSON (sorted keys): stored in checkpoints and hashed across ranks.
    public static func canonicalJSON(_ config: TrainConfig) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding a struct of plain fields cannot fail.
        return (try? encoder.encode(config)) ?? Data()
    }

    private static func defaultsObject() -> [String: Any] {
        let object = try? JSONSerialization.jsonObject(with: canonicalJSON(TrainConfig()))
        return object as? [String: Any] ?? [:]
    }

    // Copies the user's values over the defaults; a key the defaults lack is a typo or a stale name.
    private static func overlay(_ user: [String: Any], onto base: inout [String: Any], path: [String], source: String) throws(ConfigError) {
        for key in user.keys.sorted() {
            let value = user[key]!
            let field = (path + [key]).joined(separator: ".")
            guard let current = base[key] else {
                let known = base.keys.sorted().joined(separator: ", ")
                throw ConfigError(source, "unknown key `\(field)`; known keys here are: \(known)")
            }
            if var section = current as? [String: Any] {
                guard let userSection = value as? [String: Any] else {
                    throw ConfigError(source, "`\(field)` must be an object of settings, not a single value")
                }
                try overlay(userSection, onto: &section, path: path + [key], source: source)
                base[key] = section
            } else if current is [Any] {
                // A list setting (eval.tasks) is replaced whole; its entries' own decoders check them.
                guard value is [Any] else { throw ConfigError(source, "`\(field)` must be an array (a JSON list)") }
                base[key] = value
            } else {
                if value is [String: Any] || value is [Any] {
                    throw ConfigError(source, "`\(field)` must be a single value, not an object or array")
                }
                base[key] = value
            }
        }
    }

    // `a.b=value`: the value is read as JSON when it parses (numbers, true/false), else as a string.
    private static func apply(override: String, to object: inout [String: Any]) throws(ConfigError) {
        guard let eq = override.firstIndex(of: "=") else {
            throw ConfigError("--set \(override)", "expected the form section.key=value, e.g. --set training.max_steps=100")
        }
        let keys = override[..<eq].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let text = String(override[override.index(after: eq)...])
        let value = (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) ?? text
        guard keys != [""] else {
            throw ConfigError("--set \(override)", "missing the key before `=`")
        }
        // `training..lr` or `.lr` would otherwise be read as `training.lr` or `lr`: a typo applied silently.
        guard !keys.contains("") else {
            throw ConfigError("--set \(override)", "the key `\(override[..<eq])` has an empty part between dots; write it as section.key, e.g. --set training.lr=0.001")
        }
        var nested: [String: Any] = [:]
        var cursor = value
        for key in keys.reversed() {
            nested = [key: cursor]
            cursor = nested
        }
        try overlay(nested, onto: &object, path: [], source: "--set \(override)")
    }

    private static func decodeMerged(_ object: [String: Any], defaults: [String: Any], source: String) throws(ConfigError) -> TrainConfig {
        do {
            return try JSONDecoder().decode(TrainConfig.self, from: JSONSerialization.data(withJSONObject: object))
        } catch let error as DecodingError {
            // Foundation reports some bad numbers (2.5 for a whole number) without a coding path;
            // find the field by putting defaults back one at a time until the config decodes.
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty,
               let (field, value) = culprit(object, defaults: defaults) {
                throw ConfigError(source, "`\(field)` has an invalid value \(value); use a value like the default, \(defaultValue(field, defaults))")
            }
            throw describe(error, source: source)
        } catch {
            throw ConfigError(source, "cannot decode the config: \(error)")
        }
    }

    private static func culprit(_ object: [String: Any], defaults: [String: Any]) -> (String, Any)? {
        var trial = object
        for section in object.keys.sorted() {
            guard var values = trial[section] as? [String: Any], let defaultValues = defaults[section] as? [String: Any] else { continue }
            for key in values.keys.sorted() {
                let original = values[key]!
                values[key] = defaultValues[key]
                trial[section] = values
                let decodes = (try? JSONSerialization.data(withJSONObject: trial)).flatMap { try? JSONDecoder().decode(TrainConfig.self, from: $0) } != nil
                if decodes { return ("\(section).\(key)", original) }
            }
        }
        return nil
    }

    private static func defaultValue(_ field: String, _ defaults: [String: Any]) -> String {
        let parts = field.split(separator: ".").map(String.init)
        guard parts.count == 2, let section = defaults[parts[0]] as? [String: Any], let value = section[parts[1]] else { return "?" }
        return "\(value)"
    }

    private static func describe(_ error: DecodingError, source: String) -> ConfigError {
        func field(_ path: [any CodingKey]) -> String { path.map(\.stringValue).joined(separator: ".") }
        switch error {
        case .typeMismatch(let type, let context):
            return ConfigError(source, "`\(field(context.codingPath))` has the wrong type; expected \(typeName(type))")
        case .valueNotFound(let type, let context):
            return ConfigError(source, "`\(field(context.codingPath))` is null; expected \(typeName(type))")
        case .keyNotFound(let key, let context):
            return ConfigError(source, "missing `\(field(context.codingPath + [key]))`")
        case .dataCorrupted(let context):
            return ConfigError(source, "`\(field(context.codingPath))` has an invalid value: \(context.debugDescription)")
        @unknown default:
            return ConfigError(source, "cannot decode the config: \(error)")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: "a whole number"
        case is Double.Type: "a number"
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        default: "\(type)"
        }
    }

    private static func jsonErrorDetail(_ error: Error) -> String {
        let ns = error as NSError
        if let detail = ns.userInfo[NSDebugDescriptionErrorKey] as? String { return detail }
        return ns.localizedDescription
    }
}
