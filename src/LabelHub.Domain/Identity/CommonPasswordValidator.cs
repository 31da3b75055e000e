using System.Collections.Frozen;
using Microsoft.AspNetCore.Identity;

namespace LabelHub.Domain.Identity;

/// <summary>
/// Refuses passwords that are guessed first: those on a shipped list of common passwords (also when only digits or
/// symbols were added around one), and those made mostly of repeated or sequential characters ("aaaaaaaaaa",
/// "1234567890", "abababab12"). Length alone let all of these through.
/// </summary>
public sealed class CommonPasswordValidator : IPasswordValidator<AppUser>
{
    public const string TooCommonCode = "PasswordTooCommon";
    public const string TooSimpleCode = "PasswordTooSimple";
    public const string TooCommonMessage = "This password is on a list of common passwords. Choose something less predictable, such as several unrelated words.";
    public const string TooSimpleMessage = "This password is mostly repeated or sequential characters (like aaaa or 1234). Choose something less predictable.";

    private const double MaxPatternShare = 0.7;
    private const int MinDistinctCharacters = 5;

    private static readonly Lazy<FrozenSet<string>> Common = new(Load);

    public Task<IdentityResult> ValidateAsync(UserManager<AppUser> manager, AppUser user, string? password)
    {
        if (string.IsNullOrEmpty(password))
        {
            return Task.FromResult(IdentityResult.Success);
        }
        if (IsCommon(password))
        {
            return Task.FromResult(IdentityResult.Failed(new IdentityError { Code = TooCommonCode, Description = TooCommonMessage }));
        }
        if (IsSimple(password))
        {
            return Task.FromResult(IdentityResult.Failed(new IdentityError { Code = TooSimpleCode, Description = TooSimpleMessage }));
        }
        return Task.FromResult(IdentityResult.Success);
    }

    public static bool IsCommon(string password)
    {
        var lower = password.ToLowerInvariant();
        // "Password2024!" is "password" with decoration: strip digits and symbols at both ends too.
        var core = lower.Trim("0123456789!@#$%^&*()-_=+.,?~ ".ToCharArray());
        return Common.Value.Contains(lower) || (core.Length >= 4 && Common.Value.Contains(core));
    }

    /// <summary>Few different characters, or most neighbours equal or one apart ("aaaa", "1234", "dcba").</summary>
    public static bool IsSimple(string password)
    {
        if (password.Distinct().Count() < MinDistinctCharacters)
        {
            return true;
        }
        var patterned = 0;
        for (var i = 1; i < password.Length; i++)
        {
            var step = char.ToLowerInvariant(password[i]) - char.ToLowerInvariant(password[i - 1]);
            if (step is -1 or 0 or 1)
            {
                patterned++;
            }
        }
        return patterned >= MaxPatternShare * (password.Length - 1);
    }

    private static FrozenSet<string> Load()
    {
        using var stream = typeof(CommonPasswordValidator).Assembly.GetManifestResourceStream("LabelHub.Domain.Identity.common-passwords.txt")
            ?? throw new InvalidOperationException("The common password list is missing from the assembly.");
        using var reader = new StreamReader(stream);
        var words = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && line[0] != '#')
            {
                words.Add(line);
            }
        }
        return words.ToFrozenSet(StringComparer.Ordinal);
    }
}
