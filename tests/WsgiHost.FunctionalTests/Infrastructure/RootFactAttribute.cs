namespace WsgiHost.FunctionalTests.Infrastructure;

/// <summary>A test that needs to run as root (switching users); skipped, with the reason, otherwise.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Environment.UserName != "root")
        {
            Skip = $"needs root to start workers as another user (running as {Environment.UserName})";
        }
    }
}
