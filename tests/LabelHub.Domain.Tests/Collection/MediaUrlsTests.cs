using System.Text.Json;
using LabelHub.Domain.Collection;

namespace LabelHub.Domain.Tests.Collection;

public sealed class MediaUrlsTests
{
    private static readonly Guid Project = Guid.Parse("11111111-2222-3333-4444-555555555555");

    [Theory]
    [InlineData("https://example.com/cat.jpg", true)]
    [InlineData("http://images.example.org:8080/a/b.png?size=large", true)]
    [InlineData("/api/v1/projects/11111111-2222-3333-4444-555555555555/media/0196a0c4-7e1f-7a2b-9c3d-123456789abc", true)]
    [InlineData("/api/v1/projects/99999999-2222-3333-4444-555555555555/media/0196a0c4-7e1f-7a2b-9c3d-123456789abc", false)]
    [InlineData("/api/v1/projects/11111111-2222-3333-4444-555555555555/media/../../files/x", false)]
    [InlineData("javascript:alert(1)", false)]
    [InlineData("data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=", false)]
    [InlineData("file:///etc/passwd", false)]
    [InlineData("//evil.example.com/a.png", false)]
    [InlineData("cat.jpg", false)]
    [InlineData("https://example.com/a b.png", false)]
    [InlineData("https://example.com/a\n.png", false)]
    [InlineData("", false)]
    public void Only_http_urls_and_own_media_are_allowed(string url, bool allowed) => Assert.Equal(allowed, MediaUrls.IsAllowed(url, Project));

    [Fact]
    public void Media_urls_round_trip()
    {
        var fileId = Guid.CreateVersion7();
        var data = new Dictionary<string, JsonElement>
        {
            ["image"] = JsonSerializer.SerializeToElement(MediaUrls.For(Project, fileId)),
            ["width"] = JsonSerializer.SerializeToElement(640),
            ["height"] = JsonSerializer.SerializeToElement(480),
            ["photo"] = JsonSerializer.SerializeToElement(42),
        };
        Assert.True(MediaUrls.TryGetImage(data, "image", Project, out var url));
        Assert.Equal($"/api/v1/projects/{Project}/media/{fileId}", url);
        Assert.False(MediaUrls.TryGetImage(data, "photo", Project, out _));
        Assert.False(MediaUrls.TryGetImage(data, "missing", Project, out _));
        Assert.True(MediaUrls.TryGetSize(data, out var width, out var height));
        Assert.Equal((640, 480), (width, height));
        data["height"] = JsonSerializer.SerializeToElement("480");
        Assert.False(MediaUrls.TryGetSize(data, out width, out height));
        Assert.Equal((0, 0), (width, height));
    }
}
