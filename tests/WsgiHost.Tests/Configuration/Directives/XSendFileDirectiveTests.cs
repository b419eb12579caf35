using WsgiHost.Configuration.Model;

namespace WsgiHost.Tests.Configuration.Directives;

/// <summary>mod_xsendfile's directives: flags that sections override, paths that add up, and what is refused.</summary>
public sealed class XSendFileDirectiveTests
{
    [Fact]
    public void SectionsOverrideFlagsAndPutTheirPathsFirst()
    {
        var config = SiteText.Clean("""
            Listen 80
            XSendFile On
            XSendFilePath /srv/downloads
            <Location /exports>
                XSendFilePath /var/spool/exports/ AllowFileDelete
                XSendFileUnescape Off
            </Location>
            <Location /public>
                XSendFile Off
            </Location>
            """);
        var server = config.MainServer.Defaults.XSendFile;
        var exports = config.MainServer.Defaults.Merge(config.MainServer.Sections[0].Payload.Settings).XSendFile;
        var open = config.MainServer.Defaults.Merge(config.MainServer.Sections[1].Payload.Settings).XSendFile;

        Assert.True(server.IsOn);
        Assert.Equal([new XSendFilePath("/srv/downloads", false)], server.Paths);
        Assert.True(exports.IsOn);
        Assert.False(exports.Unescape);
        Assert.Equal([new XSendFilePath("/var/spool/exports", true), new XSendFilePath("/srv/downloads", false)], exports.Paths);
        Assert.False(open.IsOn);
    }

    [Fact]
    public void TheModuleCountsAsLoaded()
    {
        var config = SiteText.Clean("Listen 80\n<IfModule mod_xsendfile.c>\nXSendFile On\n</IfModule>");

        Assert.True(config.MainServer.Defaults.XSendFile.IsOn);
    }

    [Theory]
    [InlineData("XSendFilePath private", "XSendFilePath needs an absolute path, got 'private'")]
    [InlineData("XSendFilePath /srv/private allowfiledelete", "'allowfiledelete' is not an option of XSendFilePath")]
    [InlineData("XSendFile Yes", "must be On or Off, got 'Yes'")]
    public void WhatItRefuses(string line, string message)
    {
        var error = SiteText.Error("Listen 80\n" + line);

        error.At(2, line.Split(' ')[0]);
        Assert.Equal(message, error.Message);
    }
}
