using System.Text;

namespace WsgiHost.Logging;

/// <summary>
/// A log destination written synchronously under its own lock (a file that can be reopened,
/// a pipe that can be restarted): the background writer's async calls complete at once, since
/// the writer itself runs on the background task.
/// </summary>
internal abstract class SynchronousLogWriter : TextWriter
{
    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value) => Write(value.ToString());

    public abstract override void Write(string? value);

    public abstract override void Flush();

    public override Task WriteAsync(string? value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task FlushAsync()
    {
        Flush();
        return Task.CompletedTask;
    }
}
