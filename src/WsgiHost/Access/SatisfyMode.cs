namespace WsgiHost.Access;

/// <summary><c>Satisfy</c>: whether Order/Allow/Deny and Require must both pass, or either is enough.</summary>
internal enum SatisfyMode
{
    All,
    Any,
}
