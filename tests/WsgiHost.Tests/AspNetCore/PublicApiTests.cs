using System.Reflection;
using System.Text;
using WsgiHost.AspNetCore;

namespace WsgiHost.Tests.AspNetCore;

/// <summary>
/// The WsgiHost package's public API, snapshotted so that any change to it is deliberate:
/// update PublicApi.txt in the same commit (the failure message has the new text).
/// </summary>
public sealed class PublicApiTests
{
    private const string Namespace = "WsgiHost.AspNetCore";
    private static readonly Assembly s_assembly = typeof(WsgiOptions).Assembly;

    [Fact]
    public void ThePublicApiMatchesTheSnapshot()
    {
        string snapshotPath = Path.Combine(RepoPaths.Root, "tests", "WsgiHost.Tests", "AspNetCore", "PublicApi.txt");
        string[] expected = File.Exists(snapshotPath) ? File.ReadAllLines(snapshotPath).Where(l => l.Length > 0).ToArray() : [];
        string[] actual = [.. Describe()];
        if (!expected.SequenceEqual(actual, StringComparer.Ordinal))
        {
            var diff = new StringBuilder();
            foreach (string line in expected.Except(actual, StringComparer.Ordinal))
            {
                diff.Append("- ").AppendLine(line);
            }
            foreach (string line in actual.Except(expected, StringComparer.Ordinal))
            {
                diff.Append("+ ").AppendLine(line);
            }
            Assert.Fail($"The public API of {Namespace} changed. Diff (- snapshot, + now):\n{diff}\n" +
                $"If the change is deliberate, replace {snapshotPath} with:\n{string.Join('\n', actual)}\n");
        }
    }

    [Fact]
    public void NothingOutsideTheAspNetCoreNamespaceIsPublic()
    {
        // The package's API is WsgiHost.AspNetCore; everything else is internal (the CLI and the
        // tests see it through InternalsVisibleTo), so it can change without a breaking release.
        Assert.Empty(s_assembly.GetExportedTypes().Where(t => t.Namespace != Namespace).Select(t => t.FullName));
    }

    /// <summary>One sorted line per public type and per public or protected member.</summary>
    private static IEnumerable<string> Describe()
    {
        var lines = new List<string>();
        var nullability = new NullabilityInfoContext();
        foreach (Type type in s_assembly.GetExportedTypes().Where(t => t.Namespace == Namespace))
        {
            string typeName = type.FullName!;
            lines.Add($"{TypeKind(type)} {typeName}");
            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (MemberInfo member in type.GetMembers(all))
            {
                string? text = member switch
                {
                    ConstructorInfo c when Visible(c) => $"{Modifiers(c)}.ctor({Parameters(c, nullability)})",
                    MethodInfo m when Visible(m) && !m.IsSpecialName => $"{Modifiers(m)}{Name(m.ReturnType, nullability.Create(m.ReturnParameter))} {m.Name}({Parameters(m, nullability)})",
                    PropertyInfo p when (p.GetMethod != null && Visible(p.GetMethod)) || (p.SetMethod != null && Visible(p.SetMethod)) =>
                        $"{Modifiers((p.GetMethod ?? p.SetMethod)!)}{Name(p.PropertyType, nullability.Create(p))} {p.Name} {{ {Accessors(p)}}}",
                    FieldInfo f when f.IsPublic || f.IsFamily => $"{(f.IsStatic ? "static " : "")}{(f.IsLiteral ? "const " : f.IsInitOnly ? "readonly " : "")}{Name(f.FieldType, nullability.Create(f))} {f.Name}",
                    EventInfo e when e.AddMethod != null && Visible(e.AddMethod) => $"event {e.EventHandlerType} {e.Name}",
                    _ => null,
                };
                if (text != null)
                {
                    lines.Add($"{typeName}: {text}");
                }
            }
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static bool Visible(MethodBase m) => m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly;

    private static string Modifiers(MethodBase m) => (m.IsFamily || m.IsFamilyOrAssembly ? "protected " : "") + (m.IsStatic ? "static " : "");

    private static string Accessors(PropertyInfo p) =>
        (p.GetMethod != null && Visible(p.GetMethod) ? "get; " : "") + (p.SetMethod != null && Visible(p.SetMethod) ? "set; " : "");

    private static string TypeKind(Type t) =>
        t.IsInterface ? "interface" : t.IsEnum ? "enum" : t.IsValueType ? "struct"
        : t.IsAbstract && t.IsSealed ? "static class" : t.IsSealed ? "sealed class" : t.IsAbstract ? "abstract class" : "class";

    private static string Parameters(MethodBase method, NullabilityInfoContext nullability) =>
        string.Join(", ", method.GetParameters().Select(p =>
            (p.IsDefined(typeof(System.Runtime.CompilerServices.ExtensionAttribute)) || (method.IsDefined(typeof(System.Runtime.CompilerServices.ExtensionAttribute)) && p.Position == 0) ? "this " : "") +
            $"{Name(p.ParameterType, nullability.Create(p))} {p.Name}" + (p.HasDefaultValue ? $" = {p.DefaultValue ?? "null"}" : "")));

    /// <summary>C#-like type names with nullable annotations, so a changed nullability shows.</summary>
    private static string Name(Type type, NullabilityInfo? info)
    {
        string suffix = info?.ReadState == NullabilityState.Nullable && !type.IsValueType ? "?" : "";
        if (Nullable.GetUnderlyingType(type) is Type underlying)
        {
            return Name(underlying, null) + "?";
        }
        if (type.IsGenericType)
        {
            string baseName = type.GetGenericTypeDefinition().FullName!;
            baseName = baseName[..baseName.IndexOf('`')];
            Type[] args = type.GetGenericArguments();
            return $"{baseName}<{string.Join(", ", args.Select((a, i) => Name(a, info?.GenericTypeArguments.ElementAtOrDefault(i))))}>{suffix}";
        }
        return (type.FullName ?? type.Name) + suffix;
    }
}
