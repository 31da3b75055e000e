using Microsoft.Playwright;

namespace LabelHub.E2E;

/// <summary>Debian's Chromium driven by Playwright; Playwright never downloads a browser here.</summary>
public static class Browser
{
    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var executable = Environment.GetEnvironmentVariable("LABELHUB_CHROMIUM_PATH");
        if (string.IsNullOrEmpty(executable))
        {
            executable = "/usr/bin/chromium";
        }
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"No Chromium at {executable}: install Debian's chromium package (./build/test.sh does).");
        }
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        return (playwright, browser);
    }

    /// <summary>Screenshots are kept as test artefacts under $LABELHUB_ARTIFACTS_DIR/screenshots.</summary>
    public static async Task ScreenshotAsync(IPage page, string name, bool fullPage = true)
    {
        var root = Environment.GetEnvironmentVariable("LABELHUB_ARTIFACTS_DIR");
        var dir = Path.Combine(string.IsNullOrEmpty(root) ? Path.Combine(AppContext.BaseDirectory, "artifacts") : root, "screenshots");
        Directory.CreateDirectory(dir);
        // Transitions (drawers sliding, buttons changing colour, snackbars fading) are finished first, so a screenshot
        // shows the state the test asserted rather than a frame halfway through an animation.
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, name + ".png"), FullPage = fullPage, Animations = ScreenshotAnimations.Disabled });
    }
}
