namespace WsgiHost.Configuration.Model;

/// <summary>What a request path's encoded slash (%2F) does: Apache's AllowEncodedSlashes.</summary>
internal enum EncodedSlashes
{
    /// <summary>The request is 404, so %2F cannot smuggle a path separator past the mapping (Apache's default).</summary>
    Off,

    /// <summary>Allowed, and decoded to '/' like any other escape.</summary>
    On,

    /// <summary>Allowed, and left encoded: the app sees %2F in PATH_INFO (what an API with slashes in its path segments needs).</summary>
    NoDecode,
}
