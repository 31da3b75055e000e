using System.Text;
using LabelHub.Domain.Learning;

namespace LabelHub.Domain.Tests.Learning;

/// <summary>MurmurHash3 x86_32 against the published reference vectors (SMHasher; the Wikipedia article's table).</summary>
public sealed class StableHashTests
{
    [Theory]
    [InlineData("", 0u, 0u)]
    [InlineData("", 1u, 0x514E28B7u)]
    [InlineData("", 0xffffffffu, 0x81F16F39u)]
    [InlineData("aaaa", 0x9747b28cu, 0x5A97808Au)]
    [InlineData("aaa", 0x9747b28cu, 0x283E0130u)]
    [InlineData("aa", 0x9747b28cu, 0x5D211726u)]
    [InlineData("a", 0x9747b28cu, 0x7FA09EA6u)]
    [InlineData("abcd", 0x9747b28cu, 0xF0478627u)]
    [InlineData("abc", 0x9747b28cu, 0xC84A62DDu)]
    [InlineData("Hello, world!", 0x9747b28cu, 0x24884CBAu)]
    [InlineData("ππππππππ", 0x9747b28cu, 0xD58063C1u)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x9747b28cu, 0x2FA826CDu)]
    public void Matches_the_reference_vectors(string text, uint seed, uint expected)
    {
        Assert.Equal(expected, StableHash.Murmur3(Encoding.UTF8.GetBytes(text), seed));
        Assert.Equal(expected, StableHash.Murmur3(text.AsSpan(), seed));
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 0 }, 0u, 0x2362F9DEu)]
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xff }, 0u, 0x76293B50u)]
    [InlineData(new byte[] { 0x21, 0x43, 0x65, 0x87 }, 0u, 0xF55B516Bu)]
    [InlineData(new byte[] { 0x21, 0x43, 0x65, 0x87 }, 0x5082EDEEu, 0x2362F9DEu)]
    [InlineData(new byte[] { 0x21, 0x43, 0x65 }, 0u, 0x7E4A8634u)]
    [InlineData(new byte[] { 0x21, 0x43 }, 0u, 0xA0F7B07Au)]
    [InlineData(new byte[] { 0x21 }, 0u, 0x72661CF4u)]
    [InlineData(new byte[] { 0 }, 0u, 0x514E28B7u)]
    public void Matches_the_reference_vectors_for_bytes(byte[] data, uint seed, uint expected)
    {
        Assert.Equal(expected, StableHash.Murmur3(data, seed));
    }

    [Fact]
    public void Text_is_hashed_as_utf8_so_long_and_non_latin_text_agrees_with_its_bytes()
    {
        var text = string.Concat(Enumerable.Repeat("배송이 빠르고 좋아요 ", 40));

        Assert.Equal(StableHash.Murmur3(Encoding.UTF8.GetBytes(text), 42), StableHash.Murmur3(text.AsSpan(), 42));
    }

    [Fact]
    public void A_number_is_hashed_as_its_little_endian_bytes()
    {
        Assert.Equal(StableHash.Murmur3(new byte[] { 0x2a, 0, 0, 0, 0, 0, 0, 0 }, 9), StableHash.Murmur3(42L, 9));
    }
}
