namespace WxQms.Tests.Infrastructure;

/// <summary>
/// The app on a clock of its own, starting at <see cref="WxQmsApp.Start"/>, for a test class that needs a date of the year
/// (the shared clock only moves forward, and by the end of the run it may stand in any month) or that moves it years ahead.
/// It shares the test database with the shared app, so it belongs to the integration collection like every other class.
/// </summary>
public sealed class OwnClockApp : WxQmsApp;
