import Foundation

/// Reading and writing GPT-2's tokenizer files, `vocab.json` and `merges.txt`, so Hugging Face's GPT2Tokenizer loads ours as it loads GPT-2's.
extension BPETokenizer {
    /// The vocabulary file's name inside a tokenizer directory.
    public static let vocabFileName = "vocab.json"
    /// The merges file's name inside a tokenizer directory.
    public static let mergesFileName = "merges.txt"

    /// Writes vocab.json and merges.txt into `directory` (created if needed), each atomically.
    public func save(to directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw DataError("cannot create tokenizer directory \(directory.path): \(FileErrorText.reason(error, creatingDirectory: directory.path)); check the path and its permissions")
        }
        var vocab = "{"
        for (id, bytes) in tokenBytes.enumerated() {
            let spelling = Int32(id) == endOfText ? BPETokenizer.endOfTextText : ByteEncoder.encode(bytes)
            if id > 0 { vocab += ", " }
            vocab += "\"" + jsonEscaped(spelling) + "\": \(id)"
        }
        vocab += "}\n"
        var mergesText = "#version: 0.2\n"
        for merge in merges {
            mergesText += ByteEncoder.encode(tokenBytes[Int(merge.left)]) + " " + ByteEncoder.encode(tokenBytes[Int(merge.right)]) + "\n"
        }
        for (name, text) in [(BPETokenizer.vocabFileName, vocab), (BPETokenizer.mergesFileName, mergesText)] {
            let url = directory.appendingPathComponent(name)
            do {
                try Data(text.utf8).write(to: url, options: .atomic)
            } catch {
                throw DataError("cannot write \(url.path): \(FileErrorText.reason(error)); check free space and permissions")
            }
        }
    }

    /// Reads vocab.json and merges.txt from `directory`; errors name the file, the line and the fix.
    public static func load(from directory: URL) throws -> BPETokenizer {
        let vocabURL = directory.appendingPathComponent(vocabFileName)
        let mergesURL = directory.appendingPathComponent(mergesFileName)
        let fix = "delete \(vocabURL.path) and \(mergesURL.path) and re-run `trainer prepare CONFIG` to retrain the tokenizer"
        let vocabData: Data
        let mergesData: Data
        do {
            vocabData = try Data(contentsOf: vocabURL)
            mergesData = try Data(contentsOf: mergesURL)
        } catch {
            throw DataError("cannot read tokenizer files in \(directory.path): \(FileErrorText.reason(error)); run `trainer prepare CONFIG` to create them")
        }
        let vocab: [String: Int]
        do {
            vocab = try JSONDecoder().decode([String: Int].self, from: vocabData)
        } catch {
            throw DataError("\(vocabURL.path) is not a JSON object of token -> id: \(error); \(fix)")
        }
        var tokenBytes = [[UInt8]?](repeating: nil, count: vocab.count)
        var endOfText: Int32 = -1
        for (spelling, id) in vocab {
            guard id >= 0, id < vocab.count, tokenBytes[id] == nil else {
                throw DataError("\(vocabURL.path): token \(spelling.debugDescription) has id \(id), but ids must be 0..<\(vocab.count), each used once; \(fix)")
            }
            if spelling == endOfTextText {
                endOfText = Int32(id)
                tokenBytes[id] = Array(spelling.utf8)
            } else if let bytes = ByteEncoder.decode(spelling) {
                tokenBytes[id] = bytes
            } else {
                throw DataError("\(vocabURL.path): token \(spelling.debugDescription) is neither GPT-2 byte-encoded nor <|endoftext|>; \(fix)")
            }
        }
        guard endOfText >= 0 else {
            throw DataError("\(vocabURL.path) has no \(endOfTextText) token; \(fix)")
        }
        let allBytes = tokenBytes.compactMap { $0 }
        guard let mergesText = String(data: mergesData, encoding: .utf8) else {
            throw DataError("\(mergesURL.path) is not UTF-8 text; \(fix)")
        }
        var merges: [(BPEMerge, Int32)] = []
        for (index, line) in mergesText.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            if line.isEmpty || (index == 0 && line.hasPrefix("#version")) { continue }
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw DataError("\(mergesURL.path) line \(lineNumber): expected two tokens separated by one space, found \(String(line).debugDescription); \(fix)")
            }
            guard let left = vocab[String(parts[0])], let right = vocab[String(parts[1])],
                  let result = vocab[String(parts[0]) + String(parts[1])] else {
                throw DataError("\(mergesURL.path) line \(lineNumber): \(String(line).debugDescription) uses or makes a token missing from \(vocabFileName); the two files do not belong together; \(fix)")
            }
            merges.append((BPEMerge(left: Int32(left), right: Int32(right)), Int32(result)))
        }
        return try BPETokenizer(tokenBytes: allBytes, merges: merges, endOfText: endOfText, source: vocabURL.path)
    }

    /// Escapes a string for a JSON string literal.
    private func jsonEscaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
