using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LabelHub.Domain.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ReleaseDatasheetKorean : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "datasheet_korean",
                table: "releases",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "datasheet_korean",
                table: "releases");
        }
    }
}
