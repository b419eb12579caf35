using WsgiHost.Logging;

namespace WsgiHost.Tests.Logging;

/// <summary>The log writer: writes never wait, and a flush returns only once what came before it is written, in order.</summary>
public sealed class BackgroundWriterTests
{
    [Fact]
    public async Task AFlushReturnsWithEverythingWrittenBeforeItOutInOrder()
    {
        for (int round = 0; round < 200; round++)
        {
            var target = new StringWriter();
            await using var writer = new BackgroundWriter(TextWriter.Synchronized(target), ownsWriter: false);
            var expected = new System.Text.StringBuilder();
            for (int i = 0; i < 50; i++)
            {
                writer.Write($"line {i}\n");
                expected.Append($"line {i}\n");
            }
            writer.Flush(TimeSpan.FromSeconds(5));
            Assert.Equal(expected.ToString(), target.ToString());
        }
    }

    [Fact]
    public async Task AFlushAfterTheWriterWasClosedDoesNotThrow()
    {
        var writer = new BackgroundWriter(new StringWriter(), ownsWriter: true);
        writer.Write("last\n");
        await writer.DisposeAsync();
        writer.Flush(TimeSpan.FromSeconds(1));
    }
}
