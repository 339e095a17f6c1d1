import Foundation
import Testing

/// docs/ARCHITECTURE.md's table of module imports is the code's (issue 21, item 8): every Swift
/// module's `import` lines of our own modules, no more and no fewer, so the picture cannot drift.
@Suite struct ArchitectureTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Module → the modules of ours it imports, read from Sources/MODULE/**/*.swift.
    static func actualImports() throws -> [String: Set<String>] {
        let sources = root.appendingPathComponent("Sources")
        let modules = Set(try FileManager.default.contentsOfDirectory(atPath: sources.path))
        var graph: [String: Set<String>] = [:]
        for module in modules {
            var imports = Set<String>()
            let files = FileManager.default.enumerator(atPath: sources.appendingPathComponent(module).path)?.compactMap { $0 as? String } ?? []
            for file in files where file.hasSuffix(".swift") {
                let text = try String(contentsOf: sources.appendingPathComponent(module).appendingPathComponent(file), encoding: .utf8)
                for line in text.split(separator: "\n") {
                    let words = line.split(separator: " ").map(String.init)
                    if let i = words.firstIndex(of: "import"), i + 1 < words.count, words[..<i].allSatisfy({ $0.hasPrefix("@") }),
                       modules.contains(words[i + 1]) {
                        imports.insert(words[i + 1])
                    }
                }
            }
            graph[module] = imports
        }
        return graph
    }

    /// The table under "## Module imports": `| \`Module\` | A, B |` rows ("—" for none).
    static func documentedImports() throws -> [String: Set<String>] {
        let text = try String(contentsOf: root.appendingPathComponent("docs/ARCHITECTURE.md"), encoding: .utf8)
        guard let start = text.range(of: "## Module imports") else { return [:] }
        var graph: [String: Set<String>] = [:]
        for line in text[start.upperBound...].split(separator: "\n") {
            if line.hasPrefix("## ") { break }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 4, cells[1].hasPrefix("`") else { continue }
            let module = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            graph[module] = Set(cells[2].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "`")) }.filter { !$0.isEmpty && $0 != "—" })
        }
        return graph
    }

    @Test func theDocumentedModuleGraphIsTheImportGraph() throws {
        let actual = try Self.actualImports(), documented = try Self.documentedImports()
        #expect(!documented.isEmpty, "docs/ARCHITECTURE.md has no \"## Module imports\" table")
        for module in Set(actual.keys).union(documented.keys).sorted() {
            let a = actual[module], d = documented[module]
            #expect(a != nil, "docs/ARCHITECTURE.md lists \(module), which is not a folder of Sources/")
            #expect(d != nil, "Sources/\(module) is missing from docs/ARCHITECTURE.md's module imports")
            if let a, let d {
                #expect(a == d, "\(module): imports \(a.sorted().joined(separator: ", ")), the docs say \(d.sorted().joined(separator: ", "))")
            }
        }
    }
}
