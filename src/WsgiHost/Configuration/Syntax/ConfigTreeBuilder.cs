namespace WsgiHost.Configuration.Syntax;

/// <summary>
/// Reads one configuration and the files it includes into a tree. It applies the directives that shape the
/// tree while reading, in order, as Apache does with its EXEC_ON_READ directives: <c>Define</c>, <c>UnDefine</c>,
/// <c>Include</c>, <c>IncludeOptional</c>, <c>&lt;IfDefine&gt;</c>, <c>&lt;IfModule&gt;</c> and <c>&lt;IfVersion&gt;</c> leave no node;
/// <c>ServerRoot</c> is applied and kept. Every other directive is kept as written. Each file must balance its
/// own sections, as in Apache; nodes an Include brings become children of the section around it.
/// One instance reads one configuration.
/// </summary>
internal sealed class ConfigTreeBuilder
{
    /// <summary>Nested Include depth beyond which reading stops (cycles are caught before this).</summary>
    private const int MaxIncludeDepth = 64;

    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    private readonly ConfigReaderOptions _options;
    private readonly Func<string, string?> _environment;
    /// <summary>Define's names and values; null for a name defined without a value (for &lt;IfDefine&gt; only, as in Apache: its ${NAME} is not that name).</summary>
    private readonly Dictionary<string, string?> _defines;
    private readonly List<ConfigDiagnostic> _diagnostics = [];
    /// <summary>The files being read, outermost first: full path for comparison, name as shown.</summary>
    private readonly List<(string FullPath, string Name)> _reading = [];
    private string? _serverRoot;

    /// <summary>
    /// An include cycle was reported: no further Include is read. Files that include each other by a
    /// wildcard would otherwise be read in every order (8 such files: 767,000 reports in 49 s); Apache
    /// too stops at the first error.
    /// </summary>
    private bool _stoppedIncluding;

    public ConfigTreeBuilder(ConfigReaderOptions options, Func<string, string?> environment)
    {
        _options = options;
        _environment = environment;
        _defines = options.Defines.ToDictionary(d => d.Key, d => (string?)d.Value, StringComparer.Ordinal);
        _serverRoot = options.ServerRoot is null ? null : Path.GetFullPath(options.ServerRoot);
    }

    public ConfigReadResult ReadFile(string path)
    {
        var nodes = ReadIncluded(path, new SourceLocation(path, 0), "");
        return new ConfigReadResult(nodes, _diagnostics);
    }

    public ConfigReadResult ReadText(string text, string fileName)
    {
        _reading.Add((FullPath(fileName), fileName));
        var nodes = ReadLines(text, fileName);
        return new ConfigReadResult(nodes, _diagnostics);
    }

    private List<ConfigNode> ReadIncluded(string path, SourceLocation from, string directive)
    {
        if (_stoppedIncluding)
        {
            return [];
        }

        var fullPath = FullPath(path);
        var cycleStart = _reading.FindIndex(r => string.Equals(r.FullPath, fullPath, PathComparison));
        if (cycleStart >= 0)
        {
            var chain = string.Join(" -> ", _reading.Skip(cycleStart).Select(r => r.Name).Append(path));
            Report(DiagnosticSeverity.Error, from, directive, $"include cycle: {chain} (no further Include is read)",
                $"remove the {directive} that reads {path} again");
            _stoppedIncluding = true;
            return [];
        }

        if (_reading.Count >= MaxIncludeDepth)
        {
            Report(DiagnosticSeverity.Error, from, directive,
                $"includes are nested more than {MaxIncludeDepth} deep at {path}", null);
            return [];
        }

        string text;
        try
        {
            text = ReadBounded(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Report(DiagnosticSeverity.Error, from, directive, $"could not open configuration file {path}: {e.Message}", null);
            return [];
        }
        catch (InvalidDataException e)
        {
            Report(DiagnosticSeverity.Error, from, directive, e.Message, "Include configuration files only (a wildcard may have matched a device or a data file)");
            return [];
        }

        _reading.Add((fullPath, path));
        try
        {
            return ReadLines(text, path);
        }
        finally
        {
            _reading.RemoveAt(_reading.Count - 1);
        }
    }

    /// <summary>The largest configuration file read: far beyond any real one, and it bounds memory.</summary>
    internal const int MaxFileBytes = 16 * 1024 * 1024;

    /// <summary>
    /// Reads a file as text, at most <see cref="MaxFileBytes"/>: an Include of a device such as
    /// /dev/zero (a file that never ends) is an error instead of a read that never returns.
    /// </summary>
    private static string ReadBounded(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024);
        using var bytes = new MemoryStream();
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = file.Read(buffer)) > 0)
        {
            bytes.Write(buffer, 0, n);
            if (bytes.Length > MaxFileBytes)
            {
                throw new InvalidDataException($"{path} is not a configuration file: it is larger than {MaxFileBytes / (1024 * 1024)} MiB");
            }
        }
        if (bytes.GetBuffer().AsSpan(0, (int)bytes.Length).IndexOf((byte)0) >= 0)
        {
            // A program, an image, or UTF-16 text: read as lines, each would be an error of raw bytes.
            throw new InvalidDataException($"{path} is not a configuration file: it holds NUL bytes (a binary file, or text saved as UTF-16)");
        }

        bytes.Position = 0;
        // As File.ReadAllText: UTF-8 unless a byte order mark says otherwise.
        using var reader = new StreamReader(bytes, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    private List<ConfigNode> ReadLines(string text, string fileName)
    {
        var root = new Frame(FrameKind.Root, "", [], new SourceLocation(fileName, 0));
        var open = new List<Frame> { root };
        foreach (var line in LineReader.Read(text))
        {
            var location = new SourceLocation(fileName, line.Line);
            var dropping = open[^1].Kind == FrameKind.Dropped;
            var content = dropping ? line.Text : Substitute(line.Text, location);
            if (!dropping && content.Contains('\0'))
            {
                // No file name, pattern or value can hold a NUL (the OS cuts paths there, .NET
                // refuses them): the line is an error, not an exception out of the reader
                // (found by ConfigFuzzTests).
                Report(DiagnosticSeverity.Error, location, DirectiveName(ArgumentTokenizer.Split(content).Words.FirstOrDefault() ?? ""),
                    "the line contains a NUL character", "remove it; the file may be corrupt or not a text file");
                continue;
            }

            if (content.StartsWith("</", StringComparison.Ordinal))
            {
                CloseTag(content, location, open);
            }
            else if (content.StartsWith('<'))
            {
                OpenTag(content, location, open);
            }
            else if (!dropping)
            {
                Directive(content, location, open[^1]);
            }
        }

        while (open.Count > 1)
        {
            var frame = open[^1];
            Report(DiagnosticSeverity.Error, frame.Location, $"<{frame.Name}>",
                $"<{frame.Name}> at {frame.Location} is never closed",
                $"add </{frame.Name}> at the end of the section, in the same file");
            Close(open);
        }

        return root.Children;
    }

    private string Substitute(string text, SourceLocation location)
    {
        var undefined = new List<string>();
        var result = VariableExpander.Expand(text, Lookup, undefined);
        if (undefined.Count > 0)
        {
            var directive = DirectiveName(ArgumentTokenizer.Split(text).Words.FirstOrDefault() ?? "");
            if (directive.Length > 64)
            {
                // A line of variables with no space: its first "word" is the whole line.
                directive = directive[..64] + "...";
            }

            // Once per name and line: a long line of one undefined ${A} made a report (and a copy of the line) per use.
            foreach (var name in undefined.Distinct(StringComparer.Ordinal))
            {
                if (name.IndexOf(':') is > 0 and var colon && directive.StartsWith("Rewrite", StringComparison.OrdinalIgnoreCase))
                {
                    // ${map:key} in a rewrite line is mod_rewrite's RewriteMap lookup, not a variable.
                    Report(DiagnosticSeverity.Error, location, directive,
                        $"${{{name}}} looks a key up in RewriteMap '{name[..colon]}', and rewrite maps are not supported by WsgiHost",
                        "write one RewriteRule per case, or do the lookup (lower-casing, a table) in the app");
                    continue;
                }
                Report(DiagnosticSeverity.Error, location, directive, $"variable ${{{name}}} is not defined",
                    DebianEnvVars.Fix(name, location.File) ?? $"add 'Define {name} <value>' before this line");
            }
        }

        return result.TrimStart(Whitespace.Characters);
    }

    private string? Lookup(string name) => _defines.TryGetValue(name, out var value) && value != null ? value : _environment(name);

    private void OpenTag(string text, SourceLocation location, List<Frame> open)
    {
        var close = text.LastIndexOf('>');
        var inside = close < 0 ? text[1..] : text[1..close];
        if (open[^1].Kind == FrameKind.Dropped)
        {
            // Skipped content is only balanced, as Apache's ap_soak_end_container does.
            var word = ArgumentTokenizer.Split(inside).Words.FirstOrDefault() ?? "";
            open.Add(new Frame(FrameKind.Dropped, word, [], location));
            return;
        }

        var tokens = Tokenize(inside, location, "<" + inside);
        if (tokens.Count == 0 || Whitespace.Is(inside[0]))
        {
            Report(DiagnosticSeverity.Error, location, "", $"'{text}' is not a section tag: the name must follow '<'", null);
            return;
        }

        var name = tokens[0];
        var arguments = tokens.Skip(1).ToList();
        var tag = $"<{name}>";
        if (close < 0)
        {
            Report(DiagnosticSeverity.Error, location, tag, $"<{name} is missing its closing '>'", "end the line with '>'");
        }
        else if (text[(close + 1)..].Trim(Whitespace.Characters) is { Length: > 0 } rest)
        {
            Report(DiagnosticSeverity.Warning, location, tag, $"text after the closing '>' is ignored: {rest}",
                "remove it, or put it on a line of its own");
        }

        var kind = FrameKind.Section;
        if (IsNamed(name, "IfDefine"))
        {
            kind = Condition(tag, arguments, location, "NAME or !NAME", n => _defines.ContainsKey(n));
        }
        else if (IsNamed(name, "IfModule"))
        {
            kind = Condition(tag, arguments, location, "a module such as mod_wsgi.c, or ! and a module",
                n => ModuleNames.IsLoaded(n, _options.LoadedModules));
        }
        else if (IsNamed(name, "IfVersion"))
        {
            bool holds = IfVersionTest.Holds(arguments, out string? error);
            if (error != null)
            {
                Report(DiagnosticSeverity.Error, location, tag, $"{tag} {error}", "its content is skipped until the test is fixed");
            }
            kind = holds ? FrameKind.Transparent : FrameKind.Dropped;
        }

        open.Add(new Frame(kind, name, arguments, location));
    }

    /// <summary>Whether a conditional section's content is kept: <c>NAME</c> when the test holds, <c>!NAME</c> when not.</summary>
    private FrameKind Condition(string tag, List<string> arguments, SourceLocation location, string expected, Func<string, bool> test)
    {
        var argument = arguments.Count == 1 ? arguments[0] : "";
        var negated = argument.StartsWith('!');
        var name = negated ? argument[1..] : argument;
        if (name.Length == 0)
        {
            Report(DiagnosticSeverity.Error, location, tag,
                $"{tag} takes exactly one argument: {expected}", "its content is skipped until the argument is fixed");
            return FrameKind.Dropped;
        }

        return test(name) != negated ? FrameKind.Transparent : FrameKind.Dropped;
    }

    private void CloseTag(string text, SourceLocation location, List<Frame> open)
    {
        var close = text.LastIndexOf('>');
        var inside = (close < 0 ? text[2..] : text[2..close]).Trim(Whitespace.Characters);
        var words = ArgumentTokenizer.Split(inside).Words;
        var name = words.Count > 0 ? words[0] : "";
        var tag = $"</{name}>";
        if (close < 0)
        {
            Report(DiagnosticSeverity.Error, location, tag, $"</{name} is missing its closing '>'", "end the line with '>'");
        }
        else if (words.Count > 1 || text[(close + 1)..].Trim(Whitespace.Characters).Length > 0)
        {
            Report(DiagnosticSeverity.Warning, location, tag, $"text in or after the closing tag is ignored: {text}",
                $"write just {tag}");
        }

        var innermost = open[^1];
        if (open.Count == 1)
        {
            Report(DiagnosticSeverity.Error, location, tag, $"{tag} at {location} has no matching <{name}>",
                $"remove it, or add <{name}> before it in the same file");
            return;
        }

        if (IsNamed(innermost.Name, name))
        {
            Close(open);
            return;
        }

        Report(DiagnosticSeverity.Error, location, tag,
            $"{tag} at {location} does not match <{innermost.Name}> at {innermost.Location}",
            $"close <{innermost.Name}> with </{innermost.Name}> first");

        // Recover: when an outer section has this name, the sections inside it were left open.
        var match = open.FindLastIndex(f => f.Kind != FrameKind.Root && IsNamed(f.Name, name));
        if (match < 0)
        {
            return;
        }

        Close(open);
        while (open.Count > match + 1)
        {
            var frame = open[^1];
            Report(DiagnosticSeverity.Error, frame.Location, $"<{frame.Name}>",
                $"<{frame.Name}> at {frame.Location} is never closed",
                $"add </{frame.Name}> before {tag} at {location}");
            Close(open);
        }

        Close(open);
    }

    private static void Close(List<Frame> open)
    {
        var frame = open[^1];
        open.RemoveAt(open.Count - 1);
        var parent = open[^1].Children;
        switch (frame.Kind)
        {
            case FrameKind.Section:
                parent.Add(new ConfigNode(frame.Name, frame.Arguments, frame.Location, frame.Children, IsSection: true));
                break;
            case FrameKind.Transparent:
                parent.AddRange(frame.Children);
                break;
        }
    }

    private void Directive(string text, SourceLocation location, Frame parent)
    {
        var words = Tokenize(text, location, text);
        if (words.Count == 0)
        {
            return;
        }

        var name = words[0];
        var arguments = words.Skip(1).ToList();
        if (IsNamed(name, "Define"))
        {
            Define(name, arguments, location);
        }
        else if (IsNamed(name, "UnDefine"))
        {
            if (arguments.Count != 1)
            {
                Report(DiagnosticSeverity.Error, location, name, $"{name} takes exactly one name", null);
                return;
            }

            _defines.Remove(arguments[0]);
        }
        else if (IsNamed(name, "Include") || IsNamed(name, "IncludeOptional"))
        {
            parent.Children.AddRange(Include(name, arguments, location, optional: IsNamed(name, "IncludeOptional")));
        }
        else
        {
            if (IsNamed(name, "ServerRoot"))
            {
                ServerRoot(name, arguments, location);
            }

            parent.Children.Add(new ConfigNode(name, arguments, location, [], IsSection: false));
        }
    }

    /// <summary>Apache reads an empty quoted argument ("") as a missing one: Define "", Include "", ServerRoot "" are errors there.</summary>
    private bool EmptyFirst(string directive, List<string> arguments, SourceLocation location)
    {
        if (arguments.Count == 0 || arguments[0].Length > 0)
        {
            return false;
        }

        Report(DiagnosticSeverity.Error, location, directive, $"{directive}'s argument is empty (\"\"), which Apache reads as no argument", $"give {directive} its value");
        return true;
    }

    private void Define(string directive, List<string> arguments, SourceLocation location)
    {
        if (EmptyFirst(directive, arguments, location))
        {
            return;
        }

        if (arguments.Count is < 1 or > 2)
        {
            Report(DiagnosticSeverity.Error, location, directive, $"{directive} takes a name and an optional value",
                "quote a value that contains spaces");
            return;
        }

        if (arguments[0].Contains(':'))
        {
            Report(DiagnosticSeverity.Error, location, directive, "variable name must not contain ':'", null);
            return;
        }

        _defines[arguments[0]] = arguments.Count == 2 ? arguments[1] : null;
    }

    private List<ConfigNode> Include(string directive, List<string> arguments, SourceLocation location, bool optional)
    {
        if (EmptyFirst(directive, arguments, location))
        {
            return [];
        }

        if (arguments.Count != 1)
        {
            Report(DiagnosticSeverity.Error, location, directive,
                $"{directive} takes exactly one file, folder or wildcard path", "quote a path that contains spaces");
            return [];
        }

        var baseFolder = _serverRoot ?? FolderOf(location.File);
        var path = Path.GetFullPath(Path.Combine(baseFolder, arguments[0]));
        var resolution = IncludeResolver.Resolve(path, optional);
        foreach (var problem in resolution.Problems)
        {
            Report(DiagnosticSeverity.Error, location, directive, problem.Message, problem.Fix);
        }

        var nodes = new List<ConfigNode>();
        foreach (var file in resolution.Files)
        {
            nodes.AddRange(ReadIncluded(file, location, directive));
        }

        return nodes;
    }

    private void ServerRoot(string directive, List<string> arguments, SourceLocation location)
    {
        if (arguments is [""])
        {
            return; // reported with the other empty arguments, when the directive's line is built
        }

        if (arguments.Count != 1)
        {
            Report(DiagnosticSeverity.Error, location, directive, $"{directive} takes exactly one folder", null);
            return;
        }

        var folder = Path.GetFullPath(arguments[0]);
        if (!Directory.Exists(folder))
        {
            Report(DiagnosticSeverity.Error, location, directive, $"{directive} must be a valid directory: {folder}",
                "give the folder that relative Include paths start from");
            return;
        }

        _serverRoot = folder;
    }

    private List<string> Tokenize(string text, SourceLocation location, string lineForName)
    {
        var tokens = ArgumentTokenizer.Split(text);
        if (tokens.UnterminatedQuote is { } quote)
        {
            var directive = DirectiveName(ArgumentTokenizer.Split(lineForName).Words.FirstOrDefault() ?? "");
            Report(DiagnosticSeverity.Error, location, directive, $"the quoted argument has no closing {quote}",
                $"add the closing {quote}; inside quotes write \\{quote} for a literal {quote}");
        }

        return tokens.Words.ToList();
    }

    /// <summary>How a diagnostic names the directive a line starts with: <c>Include</c>, <c>&lt;VirtualHost&gt;</c>.</summary>
    private static string DirectiveName(string firstWord) =>
        firstWord.StartsWith('<') ? firstWord.TrimEnd('>') + ">" : firstWord;

    private static bool IsNamed(string name, string expected) => string.Equals(name, expected, StringComparison.OrdinalIgnoreCase);

    private static string FullPath(string path) => Path.GetFullPath(path.Length == 0 ? "." : path);

    private static string FolderOf(string file)
    {
        var folder = Path.GetDirectoryName(FullPath(file));
        return folder ?? Directory.GetCurrentDirectory();
    }

    private void Report(DiagnosticSeverity severity, SourceLocation location, string directive, string message, string? fix) =>
        _diagnostics.Add(new ConfigDiagnostic(severity, location, directive, message, fix));

    private enum FrameKind
    {
        /// <summary>The file itself.</summary>
        Root,
        /// <summary>A section that becomes a node.</summary>
        Section,
        /// <summary>A condition that holds: its content goes to the enclosing frame.</summary>
        Transparent,
        /// <summary>Content that is skipped, only its tags balanced.</summary>
        Dropped,
    }

    private sealed class Frame(FrameKind kind, string name, IReadOnlyList<string> arguments, SourceLocation location)
    {
        public FrameKind Kind { get; } = kind;

        public string Name { get; } = name;

        public IReadOnlyList<string> Arguments { get; } = arguments;

        public SourceLocation Location { get; } = location;

        public List<ConfigNode> Children { get; } = [];
    }
}
