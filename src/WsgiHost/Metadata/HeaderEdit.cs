using System.Text.RegularExpressions;

namespace WsgiHost.Metadata;

/// <summary>What a Header or RequestHeader line does to the header it names (mod_headers' actions).</summary>
internal enum HeaderAction
{
    /// <summary>Replaces every value.</summary>
    Set,

    /// <summary>Joins the value to an existing header with ", ", or sets it.</summary>
    Append,

    /// <summary>Adds another header line of the name, even if one is there.</summary>
    Add,

    /// <summary>As Append, unless the value is already one of the header's comma-separated values.</summary>
    Merge,

    /// <summary>Sets the header only when none of the name is there.</summary>
    SetIfEmpty,

    /// <summary>Removes every header of the name.</summary>
    Unset,

    /// <summary>Replaces the first match of a pattern in each value.</summary>
    Edit,

    /// <summary>Replaces every match of a pattern in each value (<c>edit*</c>).</summary>
    EditAll,

    /// <summary>Copies the request headers whose names match a pattern to the response.</summary>
    Echo,

    /// <summary>Copies the header's value into a note the access log reads as %{name}n.</summary>
    Note,
}

/// <summary>
/// One Header or RequestHeader line. <see cref="Always"/> is Header's <c>always</c> condition: the
/// edit applies to the error responses the server makes itself as well (the default,
/// <c>onsuccess</c>, only to responses the app or the file handler made). <see cref="Early"/>
/// applies the edit before the request is mapped, where Apache's <c>early</c> does.
/// </summary>
/// <param name="Name">The header (for Echo, the pattern's text).</param>
/// <param name="Value">Set/Append/Add/Merge/SetIfEmpty's value; Note's note name.</param>
/// <param name="Pattern">Edit's and Echo's expression.</param>
/// <param name="Replacement">Edit's replacement in .NET's syntax (<c>$1</c>; a literal <c>$</c> doubled).</param>
/// <param name="Location">Where the line is, for wsgihost check.</param>
internal sealed record HeaderEdit(HeaderAction Action, string Name, HeaderValueFormat? Value, Regex? Pattern, string? Replacement,
    VariableCondition? Condition, bool Always, bool Early, Configuration.Syntax.SourceLocation Location)
{
    public bool AppliesTo(IReadOnlyList<KeyValuePair<string, string?>> variables) => Condition == null || Condition.Holds(variables);
}
