using LabelHub.Workers.Learning;

namespace LabelHub.Workers.Tests.Learning;

public sealed class ImageShiftTests
{
    // One channel, 3 × 4:
    //  1  2  3  4
    //  5  6  7  8
    //  9 10 11 12
    private static readonly float[] Image = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

    [Fact]
    public void No_shift_copies_the_image()
    {
        var moved = new float[12];

        ImageShift.Translate(Image, moved, 1, 3, 4, 0, 0);

        Assert.Equal(Image, moved);
    }

    [Fact]
    public void A_shift_right_and_down_repeats_the_top_row_and_the_left_column()
    {
        var moved = new float[12];

        ImageShift.Translate(Image, moved, 1, 3, 4, dx: 1, dy: 1);

        Assert.Equal([1, 1, 2, 3, 1, 1, 2, 3, 5, 5, 6, 7], moved);
    }

    [Fact]
    public void A_shift_left_and_up_repeats_the_bottom_row_and_the_right_column()
    {
        var moved = new float[12];

        ImageShift.Translate(Image, moved, 1, 3, 4, dx: -2, dy: -1);

        Assert.Equal([7, 8, 8, 8, 11, 12, 12, 12, 11, 12, 12, 12], moved);
    }

    [Fact]
    public void Every_channel_moves_by_the_same_amount()
    {
        float[] twoChannels = [.. Image, .. Image.Select(v => v * 100)];
        var moved = new float[24];

        ImageShift.Translate(twoChannels, moved, 2, 3, 4, dx: 1, dy: 0);

        Assert.Equal([1, 1, 2, 3, 5, 5, 6, 7, 9, 9, 10, 11], moved[..12]);
        Assert.Equal(moved[..12].Select(v => v * 100), moved[12..]);
    }

    [Fact]
    public void Spans_of_the_wrong_size_are_refused()
    {
        Assert.Throws<ArgumentException>(() => ImageShift.Translate(Image, new float[11], 1, 3, 4, 1, 0));
        Assert.Throws<ArgumentException>(() => ImageShift.Translate(Image, new float[12], 1, 4, 4, 1, 0));
    }
}
