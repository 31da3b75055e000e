using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LabelHub.Domain.Data.Migrations.Postgres
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
                type: "text",
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
