namespace WsgiHost.FunctionalTests.Infrastructure;

/// <summary>A fact that needs <see cref="ShortFile"/>; skipped, saying why, where there is none.</summary>
public sealed class ShortFileFactAttribute : FactAttribute
{
    public ShortFileFactAttribute()
    {
        if (ShortFile.Missing() is string why)
        {
            Skip = why;
        }
    }
}
